"""Search: ranked hits with the words marked, only where the reader may read, and any query is text."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.search import search
from rooms.models import Room, User
from rooms.people import membership
from tests.conftest import MakeUser, say, signed_in


def texts(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.message.body for hit in hits]


def test_words_are_found_as_words_and_as_the_start_of_words_with_what_matched_marked(
    design: Room, ana: User, ben: User
) -> None:
    say(design, ana, "The release is on Friday")
    say(design, ben, "Releasing early is risky <b>bold</b>")
    say(design, ana, "Nothing to see")

    hits = search(ben, "releas")

    assert sorted(texts(hits)) == ["Releasing early is risky <b>bold</b>", "The release is on Friday"]
    snippets = {hit.message.body: str(hit.snippet) for hit in hits}
    assert "<mark>release</mark>" in snippets["The release is on Friday"]
    # The text's markup never reaches the page as markup: it is text, quoted escaped on both engines.
    assert "<b>" not in snippets["Releasing early is risky <b>bold</b>"]
    assert "risky &lt;b&gt;bold&lt;/b&gt;" in snippets["Releasing early is risky <b>bold</b>"]


def shown(snippet: str) -> str:
    """A snippet as a reader sees it: the words, without the marks around what was found, spaced as a page
    shows them."""
    return " ".join(snippet.replace("<mark>", "").replace("</mark>", "").split())


def test_a_snippet_quotes_the_message_as_it_reads_not_the_marks_it_was_typed_with(design: Room, ana: User) -> None:
    say(design, ana, "**The plan** is in [the notes](https://example.com/notes), run `deploy.sh` ~~today~~\n- first")
    say(design, ana, "the plan is also at https://example.org/plan")

    hits = search(ana, "plan")

    snippets = sorted(shown(str(hit.snippet)) for hit in hits)
    assert snippets[0] == "The plan is in the notes, run deploy.sh today first"
    assert snippets[1] == "the plan is also at https://example.org/plan", "a bare address is shown, so found"
    assert "<mark>plan</mark>" in str(hits[0].snippet)
    # A link's address is not among the words shown, so it is not what finds the message.
    assert texts(search(ana, "notes example")) == []
    assert len(search(ana, "example")) == 1
    # A long message is quoted around what was found, its cuts said with "…".
    before, after = " ".join(f"word{n}" for n in range(60)), " ".join(f"more{n}" for n in range(60))
    say(design, ana, f"{before} the blueprint {after}")
    (long,) = [shown(str(hit.snippet)) for hit in search(ana, "blueprint")]
    assert long.startswith("…"), long
    assert long.endswith("…"), long
    assert "blueprint more0 more1" in long
    # Typed markup is text: quoted as the message shows it (an entity as its character), escaped.
    say(design, ana, "a <b>bold</b> &amp; claim\x01")
    (hit,) = search(ana, "claim")
    assert shown(str(hit.snippet)) == "a &lt;b&gt;bold&lt;/b&gt; &amp; claim"


def test_every_word_must_be_there_and_a_better_match_ranks_first(design: Room, ana: User) -> None:
    say(design, ana, "we will deploy the new build of the app tomorrow after lunch, if the tests pass")
    say(design, ana, "deploy, deploy, deploy")
    say(design, ana, "the deploy script")

    assert texts(search(ana, "deploy script")) == ["the deploy script"]
    assert texts(search(ana, "deploy"))[0] == "deploy, deploy, deploy"


def test_a_word_in_very_many_messages_is_ranked_among_its_newest_matches(
    design: Room, ana: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking every match of "the" took seconds over a million messages (bench/README.md): the best hits
    are chosen among the newest CANDIDATES (here 3) that the reader may read."""
    monkeypatch.setattr("rooms.messages.search.CANDIDATES", 3)
    say(design, ana, "deploy deploy deploy, long ago")
    for n in range(3):
        say(design, ana, f"we deploy on day {n} of the week, as every week, if the build is green")
    assert sorted(texts(search(ana, "deploy"))) == [
        "we deploy on day 0 of the week, as every week, if the build is green",
        "we deploy on day 1 of the week, as every week, if the build is green",
        "we deploy on day 2 of the week, as every week, if the build is green",
    ]

    say(design, ana, "deploy deploy, and now")
    hits = texts(search(ana, "deploy"))
    assert len(hits) == 3
    assert hits[0] == "deploy deploy, and now", "the best of the newest first"
    assert "we deploy on day 0 of the week, as every week, if the build is green" not in hits


def test_newer_matches_the_reader_may_not_read_do_not_crowd_out_theirs(
    design: Room, ana: User, ben: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rooms.messages.search.CANDIDATES", 2)
    say(design, ana, "first release notes")
    say(design, ana, "second release notes")
    hideout = membership.create_private_room(user=ana, name="Hideout")
    for n in range(3):
        say(hideout, ana, f"secret release {n}")
    edited = say(design, ana, "a release to be forgotten")
    edit_message(room=design, editor=ana, message_id=edited.pk, data={"body": "nothing here"})

    assert sorted(texts(search(ben, "release"))) == ["first release notes", "second release notes"]
    assert sorted(texts(search(ana, "release", room=design))) == ["first release notes", "second release notes"]


def test_korean_words_are_found_by_their_start(design: Room, ana: User) -> None:
    say(design, ana, "대화방에서 만나요")
    assert texts(search(ana, "대화방")) == ["대화방에서 만나요"]


@pytest.mark.parametrize(
    "query",
    ['"unclosed', "a AND OR NOT b", "(((", ")", "NEAR(a b)", "col:value", "-minus", "a & b | !c", "*", "'", "\\"],
)
def test_a_query_with_operators_quotes_or_brackets_is_searched_as_text(design: Room, ana: User, query: str) -> None:
    say(design, ana, "a b value minus c NEAR")
    search(ana, query)  # no error, whatever it finds


def test_nothing_is_found_where_the_reader_may_not_read_nor_deleted_nor_an_edit_s_old_words(
    design: Room, ana: User, ben: User, make_user: MakeUser
) -> None:
    hideout = membership.create_private_room(user=ana, name="Hideout")
    say(hideout, ana, "secret plans for the launch")
    gone = say(design, ana, "launch was cancelled")
    delete_message(room=design, deleter=ana, message_id=gone.pk)
    edited = say(design, ana, "launch tomorrow")
    edit_message(room=design, editor=ana, message_id=edited.pk, data={"body": "party tomorrow"})

    assert texts(search(ben, "launch")) == []
    assert texts(search(ben, "party")) == ["party tomorrow"]
    assert texts(search(ana, "launch")) == ["secret plans for the launch"], "her own private room"
    assert texts(search(ana, "launch", room=design)) == [], "within one room"


def test_the_search_page_works_without_javascript_and_refuses_an_empty_query_next_to_the_field(
    design: Room, ana: User
) -> None:
    say(design, ana, "find me here")
    client: Client = signed_in(ana)

    page = client.get("/search/", {"q": "find"}).content.decode()
    assert "1 message found" in page
    assert "<mark>find</mark> me here" in page
    assert f'href="/rooms/design/messages/{design.messages.get().pk}/"' in page
    assert client.get("/search/").status_code == 200, "the empty form"
    empty = client.get("/search/", {"q": ""})
    assert empty.status_code == 400
    assert "Type what to search for." in empty.content.decode()
    assert "1 message found" in client.get("/search/", {"q": "find", "room": "design"}).content.decode()
    assert client.get("/search/", {"q": "find", "room": "no-such-room"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_index_is_made_again_after_a_migration_that_lost_it(design: Room, ana: User) -> None:
    say(design, ana, "written before the index was lost")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # as when Django remakes the table to alter it
            cursor.execute("DROP TRIGGER rooms_message_fts_insert")
            cursor.execute("DROP TABLE rooms_message_fts")
        else:
            cursor.execute("DROP INDEX rooms_message_search")

    call_command("migrate", verbosity=0)

    say(design, ana, "written after")
    assert sorted(texts(search(ana, "written"))) == ["written after", "written before the index was lost"]


def test_on_sqlite_the_access_rule_is_asked_of_each_hit_by_its_key_not_built_as_a_list_of_every_message(
    design: Room, ana: User
) -> None:
    """Given "rowid IN (every readable message)", SQLite ran the whole MATCH once per readable message (2.5 s for
    one rare word over 20,000, bench/search.py); the rule is a correlated EXISTS, looked up by primary key.
    And only the newest CANDIDATES matches are ranked (bench/README.md, "Search")."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 query plan")
    say(design, ana, "a rare word: zanzibar")
    with CaptureQueriesContext(connection) as queries:
        assert texts(search(ana, "zanzibar")) == ["a rare word: zanzibar"]
    statement = next(query["sql"] for query in queries if "rooms_message_fts MATCH" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}")
        plan = [row[3] for row in cursor.fetchall()]
    assert "SEARCH rooms_message USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert not [step for step in plan if step.startswith("SCAN rooms_message ")], plan
    # MATCH with a lower bound on the rowid, no list of rowids handed in; the bound found by walking the
    # matches newest first (FTS5's ORDER BY rowid DESC, 0x40 | 0x80), evaluated once.
    assert "SCAN rooms_message_fts VIRTUAL TABLE INDEX 0:M1>" in plan, plan
    assert "SCAN rooms_message_fts VIRTUAL TABLE INDEX 192:M1" in plan, plan
    assert any(step.startswith("REUSE SUBQUERY") for step in plan), plan


@pytest.mark.django_db(transaction=True)
def test_messages_written_before_0016_are_found_by_their_text_as_read(design: Room, ana: User) -> None:
    before, after = [("rooms", "0015_bot_webhooks")], [("rooms", "0016_search_the_text_as_read")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("rooms", "Room").objects.filter(pk=design.pk).update(last_seq=1)
    written = old.get_model("rooms", "Message").objects.create(
        room_id=design.pk,
        author_id=ana.pk,
        body="**Standup** moved to `10:30`",
        body_html="<p><strong>Standup</strong> moved to <code>10:30</code></p>",
        seq=1,
        last_change=1,
        created_at=design.created_at,
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)

        (hit,) = search(ana, "standup")
        assert hit.message.pk == written.pk
        assert hit.message.body_text == "Standup moved to 10:30"
        assert str(hit.snippet) == "<mark>Standup</mark> moved to 10:30"
        say(design, ana, "standup notes")  # and the index follows what is written after
        assert len(search(ana, "standup")) == 2
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

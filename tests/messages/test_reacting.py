"""Reacting: one emoji per person on a message, given and taken back, numbered and published like an edit."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from rooms.emoji import is_single_emoji
from rooms.events import MessageChanged
from rooms.messages.broadcast import render_change
from rooms.messages.catch_up import render_missed
from rooms.messages.changes import NoSuchMessage
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.reacting import ReactionResult, toggle_reaction
from rooms.models import Message, Reaction, Room, User
from rooms.people.membership import enter_room, leave_room
from tests.conftest import MakeUser, SetLimit, say


def react(room: Room, user: User, message: Message | int, emoji: str | None) -> ReactionResult:
    message_id = message if isinstance(message, int) else message.pk
    return toggle_reaction(room=room, user=user, message_id=message_id, data={"emoji": emoji})


def counts(message: Message) -> list[tuple[str, int]]:
    fresh = Message.objects.prefetch_related("reactions__user").get(pk=message.pk)
    return [(group.emoji, group.count) for group in fresh.reaction_groups]


def test_a_reaction_is_given_then_taken_back_by_the_same_toggle_each_a_numbered_change(
    design: Room, ana: User, ben: User
) -> None:
    message = say(design, ana, "shipped it")

    given = react(design, ben, message, "👍")
    assert given.message is not None
    assert [(group.emoji, group.count) for group in given.message.reaction_groups] == [("👍", 1)]
    message.refresh_from_db()
    assert (message.seq, message.last_change) == (1, 2), "it keeps its place; its newest change moves"

    taken_back = react(design, ben, message, "👍")
    assert taken_back.message is not None
    assert taken_back.message.reaction_groups == []
    assert not Reaction.objects.exists()
    message.refresh_from_db()
    design.refresh_from_db()
    assert (message.last_change, design.last_seq) == (3, 3)


def test_each_emoji_counts_its_people_once_each_in_the_order_they_came(
    design: Room, ana: User, ben: User, make_user: MakeUser
) -> None:
    cat = make_user("cat", "Cat")
    enter_room(user=cat, name="Design", slug="design")
    message = say(design, ana, "lunch?")

    react(design, ben, message, "👍")
    react(design, ana, message, "🎉")
    react(design, cat, message, "👍")
    react(design, ana, message, "👍")

    assert counts(message) == [("👍", 3), ("🎉", 1)]
    fresh = Message.objects.prefetch_related("reactions__user").get(pk=message.pk)
    assert fresh.reaction_groups[0].reactor_ids == f"{ben.pk} {cat.pk} {ana.pk}"
    assert Reaction.objects.filter(message=message, user=ana).count() == 2, "one of each emoji a person gives"


def test_a_reaction_is_published_once_after_commit_replacing_the_message_with_who_reacted_as_data(
    design: Room, ana: User, ben: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    message = say(design, ana, "first words")
    react(design, ana, message, "❤️")
    with mock.patch("rooms.messages.broadcast.publish") as publish, django_capture_on_commit_callbacks(execute=True):
        react(design, ben, message, "❤️")
        publish.assert_not_called()

    (event,) = [call.args[0] for call in publish.call_args_list]
    assert isinstance(event, MessageChanged)
    assert (event.room_id, event.change) == (design.pk, 3)
    frame = event.html["en"]
    assert frame.startswith(f'<li id="message-{message.pk}"')
    assert 'hx-swap-oob="outerMorph"' in frame
    assert f'data-reactor-ids="{ana.pk} {ben.pk}"' in frame
    assert "2 people reacted with ❤️:" in frame
    assert f'<bdi data-reactor-id="{ana.pk}">Ana</bdi> and <bdi data-reactor-id="{ben.pk}">Ben</bdi>' in frame
    assert ">you<" not in frame, "the same frame for everybody: no reader in it"
    assert 'aria-pressed="true"' not in frame
    assert "csrfmiddlewaretoken" not in frame
    assert "2명" in event.html["ko"], "each language gets its own words"


@pytest.mark.parametrize(
    ("emoji", "error"),
    [
        ("", "Choose an emoji to react with."),
        (None, "Choose an emoji to react with."),
        ("ok", "A reaction is one emoji"),
        ("👍👍", "A reaction is one emoji"),
        ("👍 nice", "A reaction is one emoji"),
        ("<b>", "A reaction is one emoji"),
        ("👍" * 40, "A reaction is one emoji"),
        ("👍\x00", "This text contains a NUL character"),
    ],
    ids=["empty", "missing", "words", "two", "emoji-and-words", "markup", "long", "nul"],
)
def test_anything_but_one_emoji_is_refused_with_a_clear_error_and_nothing_changes(
    design: Room, ana: User, emoji: str | None, error: str
) -> None:
    message = say(design, ana, "react to me")
    with mock.patch("rooms.messages.changes.publish_change") as publish:
        result = react(design, ana, message, emoji)

    assert result.message is None
    assert error in str(result.form.errors["emoji"])
    publish.assert_not_called()
    assert not Reaction.objects.exists()
    design.refresh_from_db()
    assert design.last_seq == 1


@pytest.mark.parametrize("emoji", ["👍", "❤️", "👩🏽‍💻", "👨‍👩‍👧‍👦", "1️⃣", "🇰🇷", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🫠", " 🎉 "])
def test_any_single_emoji_is_a_reaction_however_many_code_points_draw_it(design: Room, ana: User, emoji: str) -> None:
    message = say(design, ana, "react to me")
    assert react(design, ana, message, emoji).message is not None
    assert Reaction.objects.get().emoji == emoji.strip()


@pytest.mark.parametrize("text", ["a", "1", "🇰", "🏻", "👍\u200d", "\u200d👍", "→", "👍\ufe0f\ufe0f"])
def test_letters_lone_parts_of_emoji_and_broken_sequences_are_not_one_emoji(text: str) -> None:
    assert not is_single_emoji(text)


@pytest.fixture
def elsewhere(ana: User, ben: User) -> Message:
    """A message of Ben's in another room, which Ana has also entered."""
    other = enter_room(user=ben, name="Elsewhere", slug="elsewhere")
    enter_room(user=ana, name="Elsewhere", slug="elsewhere")
    return say(other, ben, "over there")


def test_what_one_may_not_react_to_is_refused_alike_logged_without_the_emoji_and_nothing_changes(
    design: Room, ana: User, ben: User, elsewhere: Message, make_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    deleted = say(design, ben, "soon gone")
    delete_message(room=design, deleter=ben, message_id=deleted.pk)
    cat = make_user("cat", "Cat")
    cats_room = enter_room(user=cat, name="Cat's", slug="cats")
    in_a_room_she_is_not_in = say(cats_room, cat, "members only")
    ids = {"another room's": elsewhere.pk, "deleted": deleted.pk, "unknown": 10**12}
    design.refresh_from_db()
    numbered = design.last_seq

    caplog.set_level(logging.INFO, logger="rooms.messages")
    for reason, pk in ids.items():
        with pytest.raises(NoSuchMessage):
            react(design, ana, pk, "🤫")
        assert f"refused a reaction by user {ana.pk} to message {pk} in room {design.pk}" in caplog.text, reason
    with pytest.raises(NoSuchMessage):
        react(cats_room, ana, in_a_room_she_is_not_in, "🤫")

    assert not Reaction.objects.exists()
    design.refresh_from_db()
    assert design.last_seq == numbered, "a refused change takes no number"
    assert "🤫" not in caplog.text


def test_a_reader_who_left_the_room_can_no_longer_react_there(design: Room, ana: User, ben: User) -> None:
    message = say(design, ben, "said while she was here")
    leave_room(user=ana, room=design)

    with pytest.raises(NoSuchMessage):
        react(design, ana, message, "👋")


def test_reacting_counts_against_the_person_s_rate_limit(design: Room, ana: User, set_limit: SetLimit) -> None:
    message = say(design, ana, "one")
    set_limit("MESSAGE_RATE_LIMIT", "2 per hour")
    assert react(design, ana, message, "👍").message is not None
    assert react(design, ana, message, "🎉").message is not None

    result = react(design, ana, message, "👀")
    assert result.message is None
    assert "You are sending messages too fast." in str(result.form.errors["emoji"])
    assert counts(message) == [("👍", 1), ("🎉", 1)]


def test_a_database_failure_while_reacting_is_told_and_changes_nothing(design: Room, ana: User) -> None:
    message = say(design, ana, "stays")
    with mock.patch("rooms.messages.reacting.Reaction.objects.create", side_effect=OperationalError("gone")):
        result = react(design, ana, message, "👍")

    assert "The server could not save this change." in str(result.form.errors["emoji"])
    design.refresh_from_db()
    assert (Reaction.objects.count(), design.last_seq) == (0, 1), "the number was rolled back with the change"


def test_a_page_that_was_away_gets_the_message_with_the_reactions_made_meanwhile(
    design: Room, ana: User, ben: User
) -> None:
    message = say(design, ana, "while you were out")  # 1: the page has it
    react(design, ben, message, "👀")  # 2
    react(design, ana, message, "🎉")  # 3
    react(design, ana, message, "🎉")  # 4: taken back

    missed = render_missed(design, after=1, quiet=True, language="en")

    assert missed is not None
    assert missed.cursor == 4
    assert f'<li id="message-{message.pk}" class="message" ' in missed.html
    assert 'hx-swap-oob="outerMorph"' in missed.html, "replaced in place, not appended"
    assert "1 person reacted with 👀:" in missed.html
    assert "🎉" not in missed.html.split('class="reactions"')[1], "taken back before the page came back"


@pytest.mark.parametrize("older_messages", [0, 200])
def test_reacting_costs_the_same_queries_however_big_the_room(
    design: Room, ana: User, ben: User, older_messages: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    Message.objects.bulk_create(
        Message(room=design, author=ana, body=f"old {n}", seq=n + 1, last_change=n + 1, created_at=design.created_at)
        for n in range(older_messages)
    )
    Room.objects.filter(pk=design.pk).update(last_seq=older_messages)
    design.refresh_from_db()
    message = say(design, ana, "react to me")
    react(design, ben, message, "🎉")

    # savepoint, number (with the rule), take back (none), give, move the message's newest change,
    # read it, its mentions, its reactions with their people, release
    with django_assert_num_queries(9):
        react(design, ana, message, "👍")
    # the same, less the giving
    with django_assert_num_queries(8):
        react(design, ana, message, "👍")


def test_deleting_a_message_takes_its_reactions_with_its_text(design: Room, ana: User, ben: User) -> None:
    message = say(design, ana, "oops")
    react(design, ben, message, "😂")
    delete_message(room=design, deleter=ana, message_id=message.pk)

    assert not Reaction.objects.exists()


def test_the_frames_of_a_new_message_and_of_an_edited_one_with_reactions_cost_no_query(
    design: Room, ana: User, ben: User, make_user: MakeUser, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    message = say(design, ana, "fresh")
    with django_assert_num_queries(0):
        render_change(message, message.last_change)

    for n in range(5):
        person = make_user(f"fan{n}")
        enter_room(user=person, name="Design", slug="design")
        react(design, person, message, "🎉")
    edited = edit_message(room=design, editor=ana, message_id=message.pk, data={"body": "edited"}).message
    assert edited is not None
    with django_assert_num_queries(0):  # the edit read its reactions with who gave them, however many
        frames = render_change(edited, edited.last_change)
    assert "5 people reacted with 🎉:" in frames["en"]

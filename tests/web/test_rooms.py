"""The pages and the no-JavaScript paths: every action works with a plain form."""

import re
import uuid

import pytest
from django.http import HttpResponse
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from rooms.messages.history import PAGE_SIZE
from rooms.messages.posting import post_message
from rooms.messages.reacting import toggle_reaction
from rooms.models import Message, Room, User
from rooms.web.rooms import LOBBY_ROOMS
from tests.conftest import DOOR_LIMITS, PASSWORD, MakeUser, SetLimit, say, signed_in
from tests.servers import free_port


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


# Signing up, in and out


def test_every_chat_page_sends_a_visitor_to_sign_in_which_says_how_to_sign_up(design: Room) -> None:
    for url in ("/", "/rooms/design/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    page = text_of(Client().get("/accounts/login/"))
    assert 'href="/accounts/signup/"' in page
    assert "Create an account" in page


def test_signing_up_signs_you_in_and_the_display_name_defaults_to_the_username(db: None) -> None:
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"username": "dana", "display_name": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(username="dana").display_name == "dana"
    assert "Signed in as <bdi>dana</bdi>" in text_of(client.get("/"))


def test_sign_up_errors_are_shown_next_to_their_field_and_focus_it(db: None) -> None:
    response = Client().post(
        "/accounts/signup/", {"username": "dana", "password1": PASSWORD, "password2": "something else"}
    )
    page = text_of(response)
    assert response.status_code == 400
    assert "<title>Error: Create an account" in page
    password2 = re.search(r"<input[^>]*id=\"id_password2\"[^>]*>", page)
    assert password2 is not None
    assert 'aria-invalid="true"' in password2.group()
    assert 'aria-describedby="id_password2_helptext id_password2_error"' in password2.group()
    assert "autofocus" in password2.group()
    assert '<div role="alert"><ul class="errorlist" id="id_password2_error">' in page


def sign_up_from(address: str, username: str, *, password2: str = PASSWORD) -> HttpResponse:
    fields = {"username": username, "display_name": "", "password1": PASSWORD, "password2": password2}
    return Client(REMOTE_ADDR=address).post("/accounts/signup/", fields)  # type: ignore[return-value]


def test_sign_ups_from_one_address_beyond_the_limit_are_refused_429_and_other_addresses_are_not(
    db: None, set_limit: SetLimit, caplog: pytest.LogCaptureFixture
) -> None:
    set_limit("SIGN_UP_RATE_LIMIT", "2 per hour")
    caplog.set_level("INFO", logger="rooms")
    assert sign_up_from("203.0.113.7", "dana", password2="typo").status_code == 400, "a mistyped form is not counted"
    for username in ("dana", "eli"):
        assert sign_up_from("203.0.113.7", username).status_code == 302

    refused = sign_up_from("203.0.113.7", "fay")

    assert refused.status_code == 429
    page = text_of(refused)
    assert "<title>Error: Create an account" in page
    assert '<div role="alert"><ul class="errorlist nonfield">' in page
    assert "Too many accounts were created from your network in a short time, so this one was not created." in page
    assert not User.objects.filter(username="fay").exists()
    assert "refused a sign-up from 203.0.113.7: rate limit" in caplog.text
    assert PASSWORD not in caplog.text
    assert sign_up_from("198.51.100.2", "fay").status_code == 302, "another address is unaffected"


def test_signing_in_and_out(ana: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def sign_in_from(address: str, username: str, password: str) -> HttpResponse:
    return Client(REMOTE_ADDR=address).post(  # type: ignore[return-value]
        "/accounts/login/", {"username": username, "password": password}
    )


def minutes_to_wait(page: str, *, pattern: str = r"Too many sign-in attempts\. Try again in (\d+) minutes?\.") -> int:
    """The wait the refusal names; within the limit's 15 minutes (its window slides, so often less)."""
    found = re.search(pattern, page)
    assert found is not None, "the refusal says for how long"
    assert 1 <= int(found[1]) <= 15
    return int(found[1])


def test_failed_sign_ins_to_one_account_stop_further_tries_from_anywhere_and_say_for_how_long(
    ana: User, ben: User, set_limit: SetLimit, caplog: pytest.LogCaptureFixture
) -> None:
    set_limit("SIGN_IN_RATE_LIMIT", "3 per 15 minutes")
    caplog.set_level("INFO", logger="rooms")
    for n in range(3):
        wrong = sign_in_from(f"203.0.113.{n}", "ana", "guess")
        assert wrong.status_code == 400
        assert "Please enter a correct username and password." in text_of(wrong)

    browser = Client(REMOTE_ADDR="198.51.100.9")  # even the right password, from a new address
    refused = browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD})

    assert refused.status_code == 429
    assert '<div role="alert"><ul class="errorlist nonfield">' in text_of(refused)
    minutes_to_wait(text_of(refused))
    assert browser.get("/").status_code == 302, "not signed in"
    assert "refused a sign-in from 198.51.100.9: too many failed attempts" in caplog.text
    assert "guess" not in caplog.text
    assert PASSWORD not in caplog.text
    assert sign_in_from("198.51.100.9", "ben", PASSWORD).status_code == 302, "another account is unaffected"


def test_an_account_that_does_not_exist_is_throttled_with_the_same_answer(ana: User, set_limit: SetLimit) -> None:
    set_limit("SIGN_IN_RATE_LIMIT", "2 per 15 minutes")
    answers = []
    for username in ("ana", "nobody"):
        for _ in range(2):
            sign_in_from("203.0.113.1", username, "guess")
        refused = sign_in_from("203.0.113.1", username, "guess")
        answers.append((refused.status_code, re.sub(r'value="[^"]*"', "", text_of(refused))))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429
    minutes_to_wait(answers[0][1])


def test_failed_sign_ins_from_one_address_stop_it_and_other_addresses_are_unaffected(
    ana: User, ben: User, set_limit: SetLimit
) -> None:
    set_limit("SIGN_IN_ADDRESS_RATE_LIMIT", "3 per 15 minutes")
    for username in ("carl", "dana", "ben"):  # a different account each time: the account's own limit is not met
        assert sign_in_from("203.0.113.7", username, "guess").status_code == 400

    assert sign_in_from("203.0.113.7", "ana", PASSWORD).status_code == 429
    assert sign_in_from("198.51.100.2", "ana", PASSWORD).status_code == 302


def test_people_who_know_their_password_never_meet_the_sign_in_limit(ana: User, set_limit: SetLimit) -> None:
    set_limit("SIGN_IN_RATE_LIMIT", "2 per 15 minutes")
    set_limit("SIGN_IN_ADDRESS_RATE_LIMIT", "2 per 15 minutes")
    for _ in range(5):
        assert sign_in_from("203.0.113.7", "ana", PASSWORD).status_code == 302


def test_the_sign_in_limit_speaks_korean(ana: User, set_limit: SetLimit) -> None:
    set_limit("SIGN_IN_RATE_LIMIT", "1 per 15 minutes")
    sign_in_from("203.0.113.7", "ana", "guess")
    client = Client(REMOTE_ADDR="203.0.113.7", headers={"accept-language": "ko"})
    refused = client.post("/accounts/login/", {"username": "ana", "password": "guess"})
    minutes_to_wait(text_of(refused), pattern=r"로그인 시도가 너무 많습니다\. (\d+)분 뒤에 다시 시도해 주세요\.")


def test_every_door_lets_people_through_when_the_limits_store_is_down(
    design: Room, ana: User, settings: Settings
) -> None:
    settings.RATE_LIMIT_STORAGE_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for name in DOOR_LIMITS:
        setattr(settings, name, "1 per hour")
    for _ in range(2):
        assert sign_in_from("203.0.113.7", "ana", "guess").status_code == 400
    assert sign_in_from("203.0.113.7", "ana", PASSWORD).status_code == 302
    for username in ("dana", "eli"):
        assert sign_up_from("203.0.113.7", username).status_code == 302
    client = signed_in(ana)
    for name in ("One", "Two"):
        assert client.post("/", {"name": name}).status_code == 302
    for body in ("one", "two"):
        assert client.post("/rooms/design/", {"body": body}).status_code == 302


# The lobby


def test_entering_a_new_name_creates_the_room_joins_it_and_shows_the_name_as_typed(ana: User) -> None:
    client = signed_in(ana)
    response = client.post("/", {"name": "  Design Reviews!  "})

    assert response.status_code == 302
    assert response["Location"] == "/rooms/design-reviews/"
    room = Room.objects.get()
    assert room.name == "Design Reviews!"
    assert ana in room.members.all()
    assert '<h1 id="room-heading"><bdi>Design Reviews!</bdi></h1>' in text_of(client.get(response["Location"]))


def test_a_name_that_leads_to_an_existing_room_enters_that_room(design: Room, make_user: MakeUser) -> None:
    carl = make_user("carl")
    response = signed_in(carl).post("/", {"name": "DESIGN"})

    assert response["Location"] == "/rooms/design/"
    assert Room.objects.count() == 1
    assert Room.objects.get().name == "Design", "the room keeps its creator's spelling"
    assert carl in design.members.all()


def test_one_person_creating_rooms_too_fast_is_refused_429_next_to_the_name_and_may_still_enter_existing_ones(
    design: Room, ana: User, ben: User, set_limit: SetLimit, caplog: pytest.LogCaptureFixture
) -> None:
    set_limit("ROOM_CREATION_RATE_LIMIT", "2 per hour")
    caplog.set_level("INFO", logger="rooms")
    client = signed_in(ana)
    for name in ("One", "Two"):
        assert client.post("/", {"name": name}).status_code == 302

    refused = client.post("/", {"name": "Three"})

    assert refused.status_code == 429
    page = text_of(refused)
    assert "You have created many rooms in a short time, so this one was not created." in page
    assert '<div role="alert"><ul class="errorlist" id="id_name_error">' in page
    assert 'value="Three"' in page, "the name stays in the box"
    assert not Room.objects.filter(slug="three").exists()
    assert f"refused a new room by user {ana.pk}: rate limit" in caplog.text
    for existing in ("Design", "one"):
        assert client.post("/", {"name": existing}).status_code == 302, "entering a room that exists is not limited"
    assert signed_in(ben).post("/", {"name": "Three"}).status_code == 302, "another person may create it"
    assert Room.objects.filter(slug="three").exists()


def test_korean_room_names_keep_their_letters_in_the_address(ana: User) -> None:
    client = signed_in(ana)
    response = client.post("/", {"name": "디자인 회의"})

    assert response["Location"] == "/rooms/%EB%94%94%EC%9E%90%EC%9D%B8-%ED%9A%8C%EC%9D%98/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Type the name of the room you want to enter."),
        ("   ", "Type the name of the room you want to enter."),
        ("!!! ???", "this name has none. Use at least one letter or digit."),
        ("x" * 101, "A room name can be at most 100 characters long; this one has 101."),
    ],
)
def test_an_unusable_room_name_gets_an_error_next_to_the_field(ana: User, name: str, error: str) -> None:
    response = signed_in(ana).post("/", {"name": name})
    page = text_of(response)

    assert response.status_code == 400
    assert error in page
    assert 'aria-describedby="id_name_error"' in page
    assert not Room.objects.exists()


def test_the_lobby_lists_rooms_newest_activity_first(design: Room, ana: User) -> None:
    quiet = Room.objects.create(name="Quiet", slug="quiet")
    post_message(room=design, author=ana, data={"body": "design is busy"})

    page = text_of(signed_in(ana).get("/"))

    assert page.index("Design") < page.index("Quiet")
    assert "What chat room would you like to enter?" in page
    assert f'<time datetime="{quiet.last_activity_at.isoformat()}"' in page


# The room


def test_the_room_shows_its_messages_oldest_first_with_author_and_time(design: Room, ana: User, ben: User) -> None:
    first = post_message(room=design, author=ana, data={"body": "first"}).message
    post_message(room=design, author=ben, data={"body": "second"})
    assert first is not None

    page = text_of(signed_in(ana).get("/rooms/design/"))

    assert page.index("first") < page.index("second")
    assert f'<li id="message-{first.pk}"' in page
    assert '<bdi class="author">Ana</bdi>' in page
    assert f'<time datetime="{first.created_at.isoformat()}"' in page
    assert "<title>Design · Chat</title>" in page


def test_the_room_page_is_live_over_a_websocket_with_a_real_form_underneath(design: Room, ana: User) -> None:
    say(design, ana, "one")
    say(design, ana, "two")
    page = text_of(signed_in(ana).get("/rooms/design/"))

    assert 'hx-ws:connect="/ws/rooms/design/?after=2"' in page, "the socket asks for what came after"
    assert re.search(
        r'<form id="composer" class="composer" method="post" action="/rooms/design/" [^>]* hx-ws:send>', page
    )
    assert 'name="csrfmiddlewaretoken"' in page
    assert re.search(r'<label for="id_body">Message</label>', page)


def test_an_unknown_room_is_not_found(ana: User) -> None:
    assert signed_in(ana).get("/rooms/nowhere/").status_code == 404


def test_someone_who_has_not_joined_reads_the_room_and_is_offered_to_join(design: Room, make_user: MakeUser) -> None:
    carl = make_user("carl")
    client = signed_in(carl)
    page = text_of(client.get("/rooms/design/"))

    assert "Join room" in page
    assert 'hx-ws:connect="/ws/rooms/' not in page
    assert 'id="composer"' not in page

    assert client.post("/rooms/design/join/")["Location"] == "/rooms/design/"
    assert 'id="composer"' in text_of(client.get("/rooms/design/"))


def test_leaving_a_room_takes_away_its_composer(design: Room, ana: User) -> None:
    client = signed_in(ana)
    assert client.post("/rooms/design/leave/")["Location"] == "/"
    assert "Join room" in text_of(client.get("/rooms/design/"))


def test_older_messages_are_a_link_away_without_javascript(design: Room, ana: User) -> None:
    messages = [say(design, ana, f"message number {n}") for n in range(PAGE_SIZE + 5)]
    client = signed_in(ana)

    newest = text_of(client.get("/rooms/design/"))
    assert "message number 4<" not in newest
    assert f"message number {PAGE_SIZE + 4}<" in newest
    older_link = f'href="/rooms/design/?before={messages[5].seq}"'
    assert older_link in newest

    older = text_of(client.get(f"/rooms/design/?before={messages[5].seq}"))
    assert "message number 0<" in older
    assert "message number 4<" in older
    assert "message number 5<" not in older
    assert "Older messages" not in older
    assert 'href="/rooms/design/">Newest messages' in older
    assert 'hx-ws:connect="/ws/rooms/' not in older, "an old page is for reading; live messages would land out of order"


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "١٢"])
def test_a_nonsense_paging_cursor_shows_the_newest_messages(design: Room, ana: User, cursor: str) -> None:
    response = signed_in(ana).get("/rooms/design/", {"before": cursor})
    assert response.status_code == 200
    assert 'hx-ws:connect="/ws/rooms/' in text_of(response)


def test_the_room_page_costs_the_same_queries_however_many_messages_and_authors(
    design: Room, ana: User, make_user: MakeUser, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = signed_in(ana)
    client.get("/rooms/design/")  # warm up what is cached per process
    for n in range(20):
        author = make_user(f"author{n}")
        design.members.add(author)
        message = say(design, author, f"hi {n}, @ana and @author{max(0, n - 1)}")
        for emoji in ("👍", "🎉"):
            toggle_reaction(room=design, user=author, message_id=message.pk, data={"emoji": emoji})
    # session, user, room, messages with authors, who they mention, their reactions with who gave them,
    # membership, marking the new ones read, the user's rooms, what is unread in each
    with django_assert_num_queries(10):
        client.get("/rooms/design/")


# Posting without JavaScript


def test_posting_without_javascript_redirects_back_to_the_room_with_the_message(design: Room, ana: User) -> None:
    client = signed_in(ana)
    response = client.post("/rooms/design/", {"body": "no script needed"})

    assert response.status_code == 302
    assert response["Location"] == "/rooms/design/"
    assert "no script needed" in text_of(client.get("/rooms/design/"))


def test_a_refused_post_shows_the_error_next_to_the_composer_and_keeps_the_text(design: Room, ana: User) -> None:
    response = signed_in(ana).post("/rooms/design/", {"body": "x" * 4001})
    page = text_of(response)

    assert response.status_code == 400
    assert "A message can be at most 4000 characters long; this one has 4001." in page
    assert 'aria-describedby="id_body_helptext id_body_error"' in page
    assert "x" * 4001 + "</textarea>" in page
    assert not Message.objects.exists()


def test_a_post_over_the_limit_is_answered_429_with_the_error_next_to_the_composer(
    design: Room, ana: User, rate_limited: None
) -> None:
    client = signed_in(ana)
    for n in range(3):
        client.post("/rooms/design/", {"body": f"{n}"})

    response = client.post("/rooms/design/", {"body": "one too many"})

    assert response.status_code == 429
    assert "You are sending messages too fast." in text_of(response)
    assert 'aria-describedby="id_body_helptext id_body_error"' in text_of(response)
    assert "one too many</textarea>" in text_of(response)


def test_a_post_into_a_flooded_room_is_answered_429_and_says_the_room_is_busy(
    design: Room, ana: User, ben: User, set_limit: SetLimit
) -> None:
    set_limit("ROOM_MESSAGE_RATE_LIMIT", "2 per hour")
    for person in (ana, ben):
        signed_in(person).post("/rooms/design/", {"body": "hi"})

    response = signed_in(ana).post("/rooms/design/", {"body": "and again"})

    assert response.status_code == 429
    assert "This room is receiving too many messages right now." in text_of(response)
    assert Message.objects.count() == 2


def test_a_form_resent_after_its_answer_was_lost_is_redirected_as_sent_even_over_the_limit(
    design: Room, ana: User, rate_limited: None
) -> None:
    client = signed_in(ana)
    forms = [{"body": f"message {n}", "client_id": str(uuid.uuid4())} for n in range(3)]
    for form in forms:
        assert client.post("/rooms/design/", form).status_code == 302

    again = client.post("/rooms/design/", forms[2])  # the browser's resend: the redirect never arrived

    assert again.status_code == 302
    assert again["Location"] == "/rooms/design/"
    assert Message.objects.count() == 3


def test_a_post_without_a_csrf_token_is_refused(design: Room, ana: User) -> None:
    client = signed_in(ana, enforce_csrf_checks=True)
    response = client.post("/rooms/design/", {"body": "forged"})

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_someone_who_has_not_joined_cannot_post(design: Room, make_user: MakeUser) -> None:
    response = signed_in(make_user("carl")).post("/rooms/design/", {"body": "hello?"})
    assert response.status_code == 403
    assert not Message.objects.exists()


# Whatever people type is shown as text


HOSTILE = '<img src=x onerror="alert(1)"><div hx-get="/" hx-trigger="load">{{ 7|add:1 }}{% now "Y" %}'
HOSTILE_NAME = '<img src=x onerror="alert(1)">{{ 7|add:1 }}'  # display names stop at 50 characters


def test_markup_and_template_syntax_are_shown_literally_everywhere(make_user: MakeUser) -> None:
    mallory = make_user("mallory", display_name=HOSTILE_NAME)
    client = signed_in(mallory)
    room_url = client.post("/", {"name": HOSTILE})["Location"]
    client.post(room_url, {"body": HOSTILE})

    for page in (text_of(client.get(room_url)), text_of(client.get("/"))):
        assert "<img" not in page
        assert "<div hx-get" not in page
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
        assert "{{ 7|add:1 }}" in page
    assert "<title>&lt;img src=x" in text_of(client.get(room_url))
    assert "Signed in as <bdi>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;{{ 7|add:1 }}</bdi>" in page


# Settings


def test_settings_change_the_display_name_and_what_is_announced_without_javascript(ana: User) -> None:
    client = signed_in(ana)
    page = text_of(client.get("/accounts/settings/"))
    assert "<legend>Announce new messages</legend>" in page
    assert '<input type="radio" name="announce" value="mentions"' in page

    response = client.post("/accounts/settings/", {"display_name": "Ana B.", "announce": "mentions"})

    assert response["Location"] == "/accounts/settings/"
    ana.refresh_from_db()
    assert (ana.display_name, ana.announce) == ("Ana B.", "mentions")
    assert "Your settings are saved." in text_of(client.get("/accounts/settings/"))
    client.post("/accounts/settings/", {"display_name": "", "announce": "all"})
    ana.refresh_from_db()
    assert ana.display_name == "ana", "an empty display name means the username"


def test_a_room_page_tells_its_scripts_what_this_reader_wants_announced(design: Room, ana: User) -> None:
    ana.announce = User.Announce.NONE
    ana.save()
    page = text_of(signed_in(ana).get("/rooms/design/"))
    assert f'data-announce="none" data-viewer-id="{ana.pk}"' in page


def test_newer_messages_are_a_link_away_from_an_older_page_until_the_newest(design: Room, ana: User) -> None:
    messages = [say(design, ana, f"message number {n}") for n in range(2 * PAGE_SIZE + 10)]
    client = signed_in(ana)

    oldest = text_of(client.get(f"/rooms/design/?before={messages[PAGE_SIZE].seq}"))
    newer_link = f'href="/rooms/design/?after={messages[PAGE_SIZE - 1].seq}">Newer messages'
    assert newer_link in oldest
    assert "message number 0<" in oldest

    middle = text_of(client.get(f"/rooms/design/?after={messages[PAGE_SIZE - 1].seq}"))
    assert f"message number {PAGE_SIZE}<" in middle
    assert f"message number {2 * PAGE_SIZE - 1}<" in middle
    assert f"message number {2 * PAGE_SIZE}<" not in middle
    assert "Older messages" in middle
    assert 'hx-ws:connect="/ws/rooms/' not in middle

    last = client.get(f"/rooms/design/?after={messages[2 * PAGE_SIZE - 1].seq}")
    assert last.status_code == 302
    assert last["Location"] == "/rooms/design/", "paging forward ends on the live page"


def test_the_lobby_lists_the_fifty_most_recently_active_rooms(ana: User) -> None:
    Room.objects.bulk_create(Room(name=f"Room {n}", slug=f"room-{n}") for n in range(LOBBY_ROOMS + 5))
    page = text_of(signed_in(ana).get("/"))
    assert page.count('<li>\n            <a href="/rooms/') == LOBBY_ROOMS


def test_signing_out_says_so_on_the_sign_in_page(ana: User) -> None:
    response = signed_in(ana).post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert '<div class="notices" role="status"><p>You signed out.</p></div>' in text_of(response)

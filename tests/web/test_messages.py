"""One message's pages: editing and deleting without JavaScript, the htmx answers, the history page."""

import re

import pytest
from django.test import Client

from rooms.messages.broadcast import render_change
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.models import Message, Room, User
from rooms.people.membership import enter_room
from tests.conftest import MakeUser, SetLimit, say, signed_in

HTMX = {"HX-Request": "true"}


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def url(message: Message, action: str = "") -> str:
    return f"/rooms/{message.room.slug}/messages/{message.pk}/{action + '/' if action else ''}"


def test_the_author_edits_without_javascript_and_lands_back_on_the_message(design: Room, ana: User) -> None:
    message = say(design, ana, "helo")
    client = signed_in(ana)

    page = text_of(client.get(url(message, "edit")))
    assert f'<label for="edit-{message.pk}-body">Edit your message</label>' in page
    assert re.search(r">\s*helo</textarea>", page)
    assert "autofocus" in page

    response = client.post(url(message, "edit"), {"body": "hello"})
    assert response.status_code == 302
    assert response["Location"] == f"/rooms/design/?around=1#message-{message.pk}"
    room = text_of(client.get(response["Location"]))
    assert 'hx-ws:connect="/ws/rooms/' in room, "the page around a recent message is the live page"
    assert ">hello</p>" in room
    assert f'<a class="edited" href="/rooms/design/messages/{message.pk}/history/">(edited)</a>' in room


def test_the_place_of_an_older_message_is_the_page_around_it(design: Room, ana: User) -> None:
    messages = [say(design, ana, f"number {n}") for n in range(100)]
    client = signed_in(ana)

    response = client.post(url(messages[40], "edit"), {"body": "number 40, fixed"})
    assert response["Location"] == f"/rooms/design/?around=41#message-{messages[40].pk}"
    page = text_of(client.get(response["Location"]))
    assert page.index("number 15<") < page.index("number 40, fixed") < page.index("number 64<")
    assert "number 14<" not in page
    assert "number 65<" not in page
    assert 'hx-ws:connect="/ws/rooms/' not in page, "not the newest: for reading"
    assert "Older messages" in page
    assert "Newer messages" in page


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "The message is empty. Type something to send."), ("x" * 4001, "A message can be at most 4000")],
    ids=["empty", "too-long"],
)
def test_bad_text_on_the_edit_page_is_refused_next_to_the_field(design: Room, ana: User, body: str, error: str) -> None:
    message = say(design, ana, "keep me")
    response = signed_in(ana).post(url(message, "edit"), {"body": body})

    assert response.status_code == 400
    page = text_of(response)
    assert re.search(rf'<div role="alert"><ul class="errorlist" id="edit-{message.pk}-body_error"><li>{error}', page)
    assert 'aria-invalid="true"' in page
    assert "<title>Error:" in page
    message.refresh_from_db()
    assert message.body == "keep me"


def test_a_rate_limited_edit_says_slow_down_with_429(design: Room, ana: User, set_limit: SetLimit) -> None:
    message = say(design, ana, "one")
    set_limit("MESSAGE_RATE_LIMIT", "1 per hour")
    client = signed_in(ana)
    client.post(url(message, "edit"), {"body": "two"})
    response = client.post(url(message, "edit"), {"body": "three"})
    assert response.status_code == 429
    assert "You are sending messages too fast." in text_of(response)


def test_deleting_without_javascript_asks_first_then_leaves_a_marker(design: Room, ana: User, ben: User) -> None:
    message = say(design, ana, "regrettable")
    client = signed_in(ana)

    page = text_of(client.get(url(message, "delete")))
    assert "<h1>Delete this message?</h1>" in page
    assert "regrettable" in page
    assert Message.objects.get().deleted_at is None, "asking deletes nothing"

    response = client.post(url(message, "delete"))
    assert response.status_code == 302
    room = text_of(signed_in(ben).get("/rooms/design/"))
    assert "This message was deleted." in room
    assert "regrettable" not in room


@pytest.fixture
def untouchable(design: Room, ana: User, ben: User) -> dict[str, str]:
    """Addresses of messages Ana may neither edit nor delete, each for another reason, and one of a room
    she cannot see it in."""
    bens = say(design, ben, "ben's")
    gone = say(design, ana, "gone")
    delete_message(room=design, deleter=ana, message_id=gone.pk)
    other = enter_room(user=ben, name="Other", slug="other")
    theirs = say(other, ben, "other room's")
    return {
        "someone else's": url(bens),
        "deleted": url(gone),
        "another room's, by its id in this room": f"/rooms/design/messages/{theirs.pk}/",
        "unknown": "/rooms/design/messages/999999/",
        "too long a number": "/rooms/design/messages/99999999999999999999999999/",
    }


def test_what_one_may_not_touch_is_a_404_alike_for_every_way_in(
    ana: User, untouchable: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(ana)
    for reason, address in untouchable.items():
        for action in ("edit/", "delete/"):
            assert client.get(address + action).status_code == 404, (reason, action)
            response = client.post(address + action, {"body": "new words"})
            assert response.status_code == 404, (reason, action)
    assert "new words" not in caplog.text


def test_to_htmx_a_refusal_is_one_sentence_for_the_alert_region(ana: User, untouchable: dict[str, str]) -> None:
    client = signed_in(ana)
    del untouchable["too long a number"]  # no address of the chat's is that: the resolver's own 404
    for reason, address in untouchable.items():
        response = client.post(address + "edit/", {"body": "new words"}, headers=HTMX)
        assert response.status_code == 404, reason
        assert text_of(response).strip() == (
            "<p>This message cannot be changed: it was deleted, or it is not yours to change.</p>"
        ), reason


def test_to_htmx_edit_opens_the_box_in_place_and_save_answers_with_the_message(design: Room, ana: User) -> None:
    message = say(design, ana, "before")
    client = signed_in(ana)

    box = text_of(client.get(url(message, "edit"), headers=HTMX))
    assert box.strip().startswith(f'<li id="message-{message.pk}" class="message editing"')
    assert f'hx-post="/rooms/design/messages/{message.pk}/edit/"' in box
    assert 'name="csrfmiddlewaretoken"' in box, "rendered for this person alone: it may hold their token"

    saved = text_of(client.post(url(message, "edit"), {"body": "after"}, headers=HTMX))
    assert saved.strip().startswith(f'<li id="message-{message.pk}" class="message"')
    assert ">after</p>" in saved
    assert "autofocus" in saved, "the focus comes back to the message"

    refused = client.post(url(message, "edit"), {"body": ""}, headers=HTMX)
    assert refused.status_code == 400
    assert 'class="message editing"' in text_of(refused)
    assert "The message is empty." in text_of(refused)

    cancelled = text_of(client.get(url(message), headers=HTMX))
    assert ">after</p>" in cancelled


def test_to_htmx_delete_answers_with_the_marker(design: Room, ana: User) -> None:
    message = say(design, ana, "bye")
    marker = text_of(signed_in(ana).post(url(message, "delete"), headers=HTMX))
    assert f'<li id="message-{message.pk}" class="message deleted"' in marker
    assert "This message was deleted." in marker


def test_a_message_s_own_address_leads_to_its_place_in_the_room(design: Room, ana: User, ben: User) -> None:
    message = say(design, ana, "here")
    response = signed_in(ben).get(url(message))
    assert response["Location"] == f"/rooms/design/?around=1#message-{message.pk}"


def test_the_history_page_lists_each_earlier_version_for_whoever_may_read_the_room(
    design: Room, ana: User, make_user: MakeUser
) -> None:
    message = say(design, ana, "first <b>try</b>")
    for body in ("second try", "third try"):
        edit_message(room=design, editor=ana, message_id=message.pk, data={"body": body})
    reader = make_user("reader")  # signed in, not a member: the room is open

    page = text_of(signed_in(reader).get(url(message, "history")))
    assert "<h1>Earlier versions of a message</h1>" in page
    assert page.index("third try") < page.index("second try") < page.index("first &lt;b&gt;try&lt;/b&gt;")

    delete_message(room=design, deleter=ana, message_id=message.pk)
    assert signed_in(reader).get(url(message, "history")).status_code == 404, "deleted: nothing left to show"


def test_only_the_author_who_is_a_member_and_staff_are_offered_the_controls(
    design: Room, ana: User, ben: User, make_user: MakeUser
) -> None:
    say(design, ana, "mine")
    style = re.compile(r"<style nonce=\"[^\"]+\">(.*?)</style>", re.DOTALL)

    ana_page = text_of(signed_in(ana).get("/rooms/design/"))
    rules = style.search(ana_page)
    assert rules is not None
    assert f'.message[data-author-id="{ana.pk}"] .message-actions a {{ display: inline-block; }}' in rules[1]
    assert "a.delete" not in rules[1]

    outsider = make_user("outsider")
    outsider_rules = style.search(text_of(signed_in(outsider).get("/rooms/design/")))
    assert outsider_rules is not None
    assert ".message-actions a { display" not in outsider_rules[1], "reading, not a member: nothing to change"

    moderator = make_user("mod")
    moderator.is_staff = True
    moderator.save()
    staff_rules = style.search(text_of(signed_in(moderator).get("/rooms/design/")))
    assert staff_rules is not None
    assert ".message .message-actions a.delete { display: inline-block; }" in staff_rules[1]


def test_the_page_s_style_carries_the_nonce_its_policy_allows(design: Room, ana: User) -> None:
    response = signed_in(ana).get("/rooms/design/")
    nonce = re.search(r'<style nonce="([^"]+)">', text_of(response))
    assert nonce is not None
    assert f"style-src 'self' 'nonce-{nonce[1]}'" in response["Content-Security-Policy"]


def test_no_frame_for_everybody_holds_anyone_s_csrf_token(design: Room, ana: User) -> None:
    client: Client = signed_in(ana)
    message = say(design, ana, "public")
    edit_message(room=design, editor=ana, message_id=message.pk, data={"body": "still public"})
    page = text_of(client.get("/rooms/design/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    message.refresh_from_db()
    for frame in render_change(message, message.last_change).values():
        assert "csrf" not in frame.lower()

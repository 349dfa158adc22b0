"""Reacting through the web: a POST form per button without JavaScript, the htmx answers, the refusals alike."""

import logging
import re

import pytest

from rooms.messages.deleting import delete_message
from rooms.messages.reacting import toggle_reaction
from rooms.models import Message, Reaction, Room, User
from rooms.people.membership import create_private_room, enter_room
from tests.conftest import MakeUser, SetLimit, say, signed_in

HTMX = {"HX-Request": "true"}


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def react_url(message: Message) -> str:
    return f"/rooms/{message.room.slug}/messages/{message.pk}/react/"


def button_for(page: str, message: Message, emoji: str) -> str:
    """The reaction button of `emoji` on `message` in `page`, as markup."""
    item = page[page.index(f'<li id="message-{message.pk}"') :]
    found = re.search(rf'<button name="emoji" value="{emoji}" aria-pressed.*?</button>', item, re.DOTALL)
    assert found is not None, f"no {emoji} button"
    return found[0]


def test_without_javascript_a_reaction_is_a_post_that_lands_back_on_the_message(
    design: Room, ana: User, ben: User
) -> None:
    message = say(design, ben, "shipped")
    client = signed_in(ana)

    page = text_of(client.get("/rooms/design/"))
    assert f'<form class="quick-reactions" method="post" action="{react_url(message)}"' in page
    assert '<button name="emoji" value="👍" aria-label="React with 👍">👍</button>' in page
    assert f'<summary aria-describedby="message-{message.pk}-meta">Add reaction</summary>' in page

    response = client.post(react_url(message), {"emoji": "👍"})
    assert response.status_code == 302
    assert response["Location"] == f"/rooms/design/?around=1#message-{message.pk}"

    hers = button_for(text_of(client.get(response["Location"])), message, "👍")
    assert 'aria-pressed="true"' in hers
    assert f'data-reactor-ids="{ana.pk}"' in hers
    assert f'1 person reacted with 👍: <span class="reactor-names"><span data-reactor-id="{ana.pk}">you</span>' in hers
    his = button_for(text_of(signed_in(ben).get("/rooms/design/")), message, "👍")
    assert 'aria-pressed="false"' in his
    assert f'<bdi data-reactor-id="{ana.pk}">Ana</bdi>' in his
    assert ">you<" not in his

    client.post(react_url(message), {"emoji": "👍"})
    assert not Reaction.objects.exists(), "the same button takes it back"


def test_each_reader_s_page_names_the_others_and_then_them_as_you(
    design: Room, ana: User, ben: User, make_user: MakeUser
) -> None:
    cat = make_user("cat", "Cat")
    enter_room(user=cat, name="Design", slug="design")
    message = say(design, ana, "cake!")
    for person in (ana, ben, cat):
        toggle_reaction(room=design, user=person, message_id=message.pk, data={"emoji": "🎉"})

    bens = button_for(text_of(signed_in(ben).get("/rooms/design/")), message, "🎉")
    names = re.sub(r"<[^>]+>", "", bens.split('class="visually-hidden">', 1)[1])
    assert names == "3 people reacted with 🎉: Ana, Cat and you"
    assert "🎉 3</span>" in bens


def test_the_page_s_style_marks_the_reader_s_own_reactions(design: Room, ana: User) -> None:
    page = text_of(signed_in(ana).get("/rooms/design/"))
    rules = re.search(r"<style nonce=\"[^\"]+\">(.*?)</style>", page, re.DOTALL)
    assert rules is not None
    assert f'.reaction [data-reactor-ids~="{ana.pk}"] {{' in rules[1]


def test_to_htmx_a_reaction_answers_with_the_message_for_its_reader(design: Room, ana: User, ben: User) -> None:
    message = say(design, ben, "hello")
    response = signed_in(ana).post(react_url(message), {"emoji": "❤️"}, headers=HTMX)

    assert response.status_code == 200
    answer = text_of(response)
    assert answer.strip().startswith(f'<li id="message-{message.pk}" class="message"')
    assert 'aria-pressed="true"' in button_for(answer, message, "❤️")
    assert f'hx-post="{react_url(message)}"' in answer
    assert f'hx-target:inherited="#message-{message.pk}" hx-swap:inherited="outerMorph"' in answer
    assert "autofocus" not in answer, "the focus stays on the button pressed"


@pytest.fixture
def unreactable(design: Room, ana: User, ben: User, make_user: MakeUser) -> dict[str, str]:
    """Addresses where Ana may not react, each for another reason."""
    gone = say(design, ben, "gone")
    delete_message(room=design, deleter=ben, message_id=gone.pk)
    other = enter_room(user=ben, name="Other", slug="other")
    theirs = say(other, ben, "other room's")
    cat = make_user("cat")
    secret = create_private_room(user=cat, name="Secret")
    hidden = say(secret, cat, "private")
    return {
        "deleted": react_url(gone),
        "another room's, by its id in this room": f"/rooms/design/messages/{theirs.pk}/react/",
        "of an open room she is not a member of": react_url(theirs),
        "of a private room she is not in": react_url(hidden),
        "unknown": "/rooms/design/messages/999999/react/",
    }


def test_where_one_may_not_react_is_a_404_alike_logged_and_nothing_changes(
    design: Room, ana: User, unreactable: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(ana)
    caplog.set_level(logging.INFO, logger="rooms.messages")
    for reason, address in unreactable.items():
        assert client.post(address, {"emoji": "🤫"}).status_code == 404, reason
        response = client.post(address, {"emoji": "🤫"}, headers=HTMX)
        assert response.status_code == 404, reason
        assert text_of(response).strip() == (
            "<p>This message cannot be changed: it was deleted, or it is not yours to change.</p>"
        ), reason
    assert not Reaction.objects.exists()
    assert caplog.text.count(f"refused a reaction by user {ana.pk}") >= 6
    assert "🤫" not in caplog.text


def test_reacting_is_a_post_only(design: Room, ana: User) -> None:
    message = say(design, ana, "hi")
    assert signed_in(ana).get(react_url(message)).status_code == 405


def test_a_bad_emoji_without_javascript_gets_a_page_with_the_error_next_to_the_field(design: Room, ana: User) -> None:
    message = say(design, ana, "react")
    response = signed_in(ana).post(react_url(message), {"emoji": "lol"})

    assert response.status_code == 400
    page = text_of(response)
    assert "<title>Error:" in page
    assert f'<label for="react-{message.pk}-emoji">Any emoji</label>' in page
    assert re.search(rf'id="react-{message.pk}-emoji_error"><li>A reaction is one emoji, such as 👍.', page)
    assert 'aria-invalid="true"' in page
    assert f'<a class="cancel" href="/rooms/design/messages/{message.pk}/">Back to the message</a>' in page
    assert not Reaction.objects.exists()


def test_to_htmx_a_bad_emoji_is_one_sentence_for_the_alert_region(design: Room, ana: User) -> None:
    message = say(design, ana, "react")
    response = signed_in(ana).post(react_url(message), {"emoji": "<b>hi</b>"}, headers=HTMX)

    assert response.status_code == 400
    assert text_of(response).strip() == "<p>A reaction is one emoji, such as 👍. Type or paste just one.</p>"
    page = text_of(signed_in(ana).get("/rooms/design/"))
    assert 'hx-status:4xx:inherited="target:#message-notice swap:innerHTML"' in page
    assert '<div id="message-notice" class="message-notice" role="alert"></div>' in page


def test_a_rate_limited_reaction_says_slow_down_with_429(design: Room, ana: User, set_limit: SetLimit) -> None:
    message = say(design, ana, "one")
    set_limit("MESSAGE_RATE_LIMIT", "1 per hour")
    client = signed_in(ana)
    assert client.post(react_url(message), {"emoji": "👍"}, headers=HTMX).status_code == 200

    response = client.post(react_url(message), {"emoji": "🎉"}, headers=HTMX)
    assert response.status_code == 429
    assert "You are sending messages too fast." in text_of(response)
    assert signed_in(ana).post(react_url(message), {"emoji": "🎉"}).status_code == 429


def test_a_reader_who_may_not_write_sees_the_reactions_but_no_buttons(
    design: Room, ana: User, make_user: MakeUser
) -> None:
    message = say(design, ana, "open to read")
    toggle_reaction(room=design, user=ana, message_id=message.pk, data={"emoji": "👀"})
    reader = make_user("reader")  # signed in, not a member: the room is open

    page = text_of(signed_in(reader).get("/rooms/design/"))
    assert "1 person reacted with 👀:" in page
    assert f'<bdi data-reactor-id="{ana.pk}">Ana</bdi>' in page
    assert "/react/" not in page
    assert "Add reaction" not in page


def test_a_deleted_message_shows_no_reactions(design: Room, ana: User, ben: User) -> None:
    message = say(design, ana, "oops")
    toggle_reaction(room=design, user=ben, message_id=message.pk, data={"emoji": "😂"})
    delete_message(room=design, deleter=ana, message_id=message.pk)

    page = text_of(signed_in(ben).get("/rooms/design/"))
    assert "This message was deleted." in page
    assert "😂" not in page.split(f'id="message-{message.pk}"')[1].split("</li>")[0]


def test_names_and_emoji_are_shown_literally(design: Room, ana: User, make_user: MakeUser) -> None:
    mallory = make_user("mallory", '<img src=x onerror="alert(1)">')
    enter_room(user=mallory, name="Design", slug="design")
    message = say(design, ana, "hi")
    toggle_reaction(room=design, user=mallory, message_id=message.pk, data={"emoji": "👍"})

    page = text_of(signed_in(ana).get("/rooms/design/"))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page

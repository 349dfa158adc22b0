"""Bots: made by a room's admins, posting through the same write path with a token shown once."""

import json
import re
from unittest import mock

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from rooms.models import Bot, Message, Room, User, token_digest
from rooms.people import bots
from rooms.people.membership import enter_room
from tests.conftest import SetLimit, signed_in

API = "/api/rooms/design/messages"


def post(token: str, payload: object, *, path: str = API) -> tuple[int, dict[str, object]]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = Client().post(path, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


@pytest.fixture
def token(design: Room, ana: User) -> str:
    _bot, secret = bots.create_bot(room=design, name="Deploy bot", created_by=ana)
    return secret


def test_an_admin_makes_a_bot_and_sees_its_token_once(design: Room, ana: User, ben: User) -> None:
    response = signed_in(ana).post("/rooms/design/bots/", {"name": "Deploy bot"})

    page = response.content.decode()
    shown = re.search(r'<code class="token">([^<]+)</code>', page)
    assert shown is not None
    bot = Bot.objects.get()
    assert bot.token_digest == token_digest(shown[1])
    assert shown[1] not in bot.token_digest, "stored hashed"
    assert response["Cache-Control"] == "no-store"
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert title is not None
    assert title[1].strip() == "Room settings · Design · Chat", "the token stays out of the title (and the history)"
    assert page.count(shown[1]) == 1
    assert shown[1] not in signed_in(ana).get("/rooms/design/settings/").content.decode(), "shown once"
    assert signed_in(ben).post("/rooms/design/bots/", {"name": "Mine"}).status_code == 403, "admins only"


def test_a_bot_posts_through_the_write_path_and_is_answered_with_the_message_s_address(
    design: Room, token: str, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with (
        mock.patch("rooms.messages.changes.publish_change") as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        status, answer = post(token, {"body": "Deployed v2 <script>"})

    message = Message.objects.get()
    assert status == 201
    assert answer["permalink"] == f"http://testserver/rooms/design/messages/{message.pk}/"
    assert message.author.display_name == "Deploy bot"
    assert message.body == "Deployed v2 <script>"
    published.assert_called_once()
    page = signed_in(design.members.get(username="ben")).get("/rooms/design/").content.decode()
    assert "Deployed v2 &lt;script&gt;" in page


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"body": ""}, "The message is empty. Type something to send."),
        ({"body": "x" * 4001}, "A message can be at most 4000 characters long; this one has 4001."),
        ({"text": "wrong field"}, "The message is empty. Type something to send."),
        (b"not json", "The request's body must be a JSON object"),
        ([1, 2], "The request's body must be a JSON object"),
    ],
    ids=["empty", "too-long", "no-body", "not-json", "not-an-object"],
)
def test_bad_input_gets_the_errors_posting_gives_and_nothing_is_posted(token: str, payload: object, error: str) -> None:
    status, answer = post(token, payload)
    assert status == 400
    assert error in json.dumps(answer)
    assert not Message.objects.exists()


def test_wrong_revoked_and_other_rooms_tokens_get_401_and_are_logged_without_the_token(
    design: Room, ana: User, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    other_room_token = token
    bot, revoked = bots.create_bot(room=design, name="Old bot", created_by=ana)
    bots.revoke_bot(bot)
    enter_room(user=ana, name="Elsewhere", slug="elsewhere")
    for wrong, path in (
        ("not-a-token", API),
        (revoked, API),
        (other_room_token, "/api/rooms/elsewhere/messages"),
        ("", API),
    ):
        status, answer = post(wrong, {"body": "let me in"}, path=path)
        assert "revoked" in str(answer["error"])
        assert status == 401, (wrong, path)
    assert Client().post(API, b"{}", content_type="application/json").status_code == 401, "no header at all"
    assert not Message.objects.exists()
    assert "refused a bot's message" in caplog.text
    assert revoked not in caplog.text
    assert "not-a-token" not in caplog.text


def test_a_bot_is_rate_limited_like_anyone(token: str, set_limit: SetLimit) -> None:
    set_limit("MESSAGE_RATE_LIMIT", "1 per hour")
    assert post(token, {"body": "one"})[0] == 201
    status, answer = post(token, {"body": "two"})
    assert status == 429
    assert "You are sending messages too fast." in json.dumps(answer)

"""Hostile input, each kind getting the answer DESIGN.md's table gives it.

The consumer-level cases for malformed frames live in test_consumers.py;
this module covers markup in every context, names, addresses and spoofed fields.
"""

import html
import json
from collections.abc import AsyncIterator

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from rooms.models import Message, Room, User
from tests.conftest import PASSWORD, MakeUser, say, signed_in
from tests.sockets.room_sockets import RoomSocket


def as_text(payload: str) -> str:
    """The payload as the page's markup carries text: < > & escaped (quotes need no escaping in text)."""
    return html.escape(payload, quote=False)


XSS_PAYLOADS = [
    "<script>window.__xss = 1</script>",
    "<img src=x onerror=alert(1)>",
    '<div hx-get="/" hx-trigger="load">x</div>',
    '"><svg onload=alert(1)>',
    "{{ request.user }}{% debug %}",
    '<ol id="message-list" hx-swap-oob="innerHTML"></ol>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_a_message_is_shown_as_text_on_the_page(design: Room, ana: User, payload: str) -> None:
    client = signed_in(ana)
    client.post("/rooms/design/", {"body": payload})

    page = client.get("/rooms/design/").content.decode()

    assert Message.objects.get().body == payload, "stored exactly as typed"
    assert as_text(payload) in page, "shown exactly as typed, template syntax included"
    assert payload == as_text(payload) or payload not in page


@pytest.fixture
async def member_socket(design: Room, ana: User) -> AsyncIterator[WebsocketCommunicator]:
    client = await database_sync_to_async(signed_in)(ana)
    headers = [
        (b"host", b"localhost"),
        (b"origin", b"http://localhost"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    socket = RoomSocket(application, design.get_socket_url(), headers=headers)
    assert (await socket.connect())[0]
    yield socket
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
async def test_markup_in_a_message_is_broadcast_as_text(member_socket: WebsocketCommunicator, payload: str) -> None:
    await member_socket.send_to(text_data=json.dumps({"body": payload}))
    reply = await member_socket.receive_from(timeout=2)
    assert as_text(payload) in reply
    assert payload == as_text(payload) or payload not in reply


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "headers",
    [{"HX-Request": "true", "HX-Current-URL": "http://evil.example/"}, "headers as a string", ["a", "list"], None],
    ids=["spoofed-object", "string", "list", "null"],
)
async def test_whatever_htmx_headers_a_frame_carries_are_ignored(
    member_socket: WebsocketCommunicator, headers: object, ana: User
) -> None:
    await member_socket.send_to(text_data=json.dumps({"body": "plain", "headers": headers}))
    await member_socket.receive_from(timeout=2)
    message = await Message.objects.select_related("author").aget()
    assert (message.body, message.author) == ("plain", ana)


@pytest.mark.django_db(transaction=True)
async def test_nan_as_a_body_is_unreadable(member_socket: WebsocketCommunicator) -> None:
    await member_socket.send_to(text_data='{"body": NaN}')
    assert "The server could not read this message." in await member_socket.receive_from(timeout=2)
    assert not await Message.objects.aexists()


@pytest.mark.django_db(transaction=True)
async def test_duplicate_keys_store_one_message(member_socket: WebsocketCommunicator) -> None:
    await member_socket.send_to(text_data='{"body": "first", "body": "second"}')
    await member_socket.receive_from(timeout=2)
    assert [m.body async for m in Message.objects.all()] == ["second"]


@pytest.mark.parametrize("text", ["\u200b\u200b", "\u202e", "\u3164\u3164", "\u2800", "\u200d\u0301"], ids=repr)
def test_invisible_only_text_is_refused_everywhere(design: Room, ana: User, text: str) -> None:
    client = signed_in(ana)
    message = client.post("/rooms/design/", {"body": text})
    lobby = client.post("/", {"name": text})
    sign_up = Client().post(
        "/accounts/signup/", {"username": "ghost", "display_name": text, "password1": PASSWORD, "password2": PASSWORD}
    )

    invisible = "This text has no visible characters."
    assert invisible in message.content.decode()
    assert invisible in lobby.content.decode()
    assert invisible in sign_up.content.decode()
    assert not Message.objects.exists()
    assert not User.objects.filter(username="ghost").exists()
    assert Room.objects.count() == 1


def test_a_right_to_left_name_is_isolated_so_it_cannot_flip_the_page(make_user: MakeUser) -> None:
    # Direction overrides are refused in names (tests/test_lookalikes.py); right-to-left
    # letters are welcome, and isolated so that they do not reorder what is around them.
    client = Client()
    client.post(
        "/accounts/signup/",
        {
            "username": "flip",
            "display_name": "\u05e9\u05dc\u05d5\u05dd 1",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    room_url = client.post("/", {"name": "\u063a\u0631\u0641\u0629 2"})["Location"]
    client.post(room_url, {"body": "hi"})

    page = client.get(room_url).content.decode()

    assert '<bdi class="author">\u05e9\u05dc\u05d5\u05dd 1</bdi> <span class="username">@<bdi>flip</bdi></span>' in page
    assert "<bdi>\u063a\u0631\u0641\u0629 2</bdi>" in page


@pytest.mark.parametrize(
    "path",
    ["/rooms/../", "/rooms/%2e%2e%2f/", "/rooms/a%00b/", "/rooms/%00/", "/rooms/design%2F..%2F/", "/rooms/<script>/"],
)
def test_mangled_room_addresses_are_not_found(design: Room, ana: User, path: str) -> None:
    assert signed_in(ana).get(path).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["/ws/rooms/%2e%2e%2f/", "/ws/rooms/a%00b/", "/ws/../admin/", "/ws/nothing", "ws/rooms/design/"]
)
async def test_mangled_socket_addresses_are_refused_at_the_handshake(design: Room, path: str) -> None:
    socket = RoomSocket(application, path, headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")])
    connected, _ = await socket.connect()
    assert not connected


def test_a_300_character_room_name_is_refused_and_a_long_korean_one_is_fine(ana: User) -> None:
    client = signed_in(ana)
    refused = client.post("/", {"name": "r" * 300})
    assert "A room name can be at most 100 characters long; this one has 300." in refused.content.decode()

    korean = client.post("/", {"name": "한국어 이름의 방 " * 10})
    assert korean.status_code == 302
    assert client.get(korean["Location"]).status_code == 200


@pytest.mark.parametrize("name", ["ﷺ" * 6, "㎯" * 30], ids=["arabic-ligature", "square-unit"])
def test_a_room_name_whose_address_spells_out_past_100_characters_is_refused_with_a_clear_error(
    ana: User, name: str
) -> None:
    # Within the name's 100 characters, but slugify's NFKC spells each character out in several.
    refused = signed_in(ana).post("/", {"name": name})

    assert refused.status_code == 400
    assert "an address can have at most 100" in refused.content.decode()
    assert not Room.objects.exists()


HUGE_CURSORS = [str(2**63), "9" * 5000]


@pytest.mark.parametrize("cursor", HUGE_CURSORS, ids=["just-past-bigint", "5000-digits"])
def test_a_page_address_with_a_cursor_beyond_any_message_shows_the_newest_messages(
    design: Room, ana: User, cursor: str
) -> None:
    client = signed_in(ana)
    say(design, ana, "the latest news")

    before = client.get(f"/rooms/design/?before={cursor}")
    after = client.get(f"/rooms/design/?after={cursor}")

    assert before.status_code == 200
    assert "the latest news" in before.content.decode()
    assert (after.status_code, after["Location"]) == (302, "/rooms/design/"), "as if there were no cursor"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cursor", HUGE_CURSORS, ids=["just-past-bigint", "5000-digits"])
async def test_a_socket_address_with_a_cursor_beyond_any_message_is_taken_as_up_to_date(
    design: Room, ana: User, cursor: str
) -> None:
    client = await database_sync_to_async(signed_in)(ana)
    headers = [
        (b"host", b"localhost"),
        (b"origin", b"http://localhost"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    socket = RoomSocket(application, f"{design.get_socket_url()}?after={cursor}", headers=headers)
    assert (await socket.connect())[0]
    await socket.send_to(text_data=json.dumps({"body": "still live"}))
    assert "still live" in await socket.receive_from(timeout=2) + await socket.receive_from(timeout=2)
    await socket.disconnect()

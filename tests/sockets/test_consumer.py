"""The room socket, through the real ASGI stack: origin check, session auth, routing, consumer."""

import asyncio
import contextlib
import gc
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError
from django.test import Client
from django.utils.html import escape
from pytest_django.fixtures import Settings

from config.asgi import application
from rooms.events import MessageChanged
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.history import PAGE_SIZE
from rooms.models import Message, Room, User
from rooms.people import membership
from rooms.sockets import close_codes
from rooms.sockets.consumer import MAX_SOCKETS_PER_USER, RoomConsumer
from rooms.sockets.fanout import publish
from tests.conftest import MakeUser, SetLimit, say
from tests.sockets.room_sockets import RoomSocket, signed_in_browser

pytestmark = pytest.mark.django_db(transaction=True)  # broadcasts wait for a real commit

Connect = Callable[..., Awaitable[WebsocketCommunicator]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open a room socket as a browser on this site would; every socket is closed after the test."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(
        user: User | None,
        room: Room,
        *,
        after: int | None = None,
        origin: str | None = "http://localhost:8000",
        host: str = "localhost:8000",
        accept: bool = True,
        browser: Client | None = None,
        cookies: str = "",
        extra_headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> WebsocketCommunicator:
        headers = [(b"host", host.encode())]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        if user is not None:
            browser = browser or await signed_in_browser(user)
            headers.append((b"cookie", f"sessionid={browser.cookies['sessionid'].value}; {cookies}".encode()))
        headers.extend(extra_headers)
        address = room.get_socket_url() + ("" if after is None else f"?after={after}")
        communicator = RoomSocket(application, address, headers=headers)
        connected, _ = await communicator.connect()
        assert connected is accept, f"expected the handshake to be {'accepted' if accept else 'refused'}"
        opened.append(communicator)
        return communicator

    yield open_socket
    for communicator in opened:
        await communicator.disconnect()


def compose(body: object, **extra: object) -> str:
    """A frame as htmx 4's hx-ws extension sends the compose form: its values, and htmx's headers beside them."""
    return json.dumps({"csrfmiddlewaretoken": "x", "body": body, **extra, "headers": {"HX-Request": "true"}})


async def test_a_message_reaches_every_member_of_the_room_as_the_rendered_partial(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    ana_socket, ben_socket = await connect(ana, design), await connect(ben, design)

    await ana_socket.send_to(text_data=compose("hello <b>room</b>"))

    broadcast = await ben_socket.receive_from(timeout=2)
    message = await Message.objects.aget()
    assert broadcast.startswith('<ol id="message-list" hx-swap-oob="beforeend">')
    assert f'<li id="message-{message.pk}"' in broadcast
    assert "hello &lt;b&gt;room&lt;/b&gt;" in broadcast
    assert '<bdi class="author">Ana</bdi>' in broadcast
    assert await ben_socket.receive_nothing(timeout=0.2)


async def test_the_sender_gets_a_cleared_composer_and_their_message_once(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    ana_socket, ben_socket = await connect(ana, design), await connect(ben, design)

    await ana_socket.send_to(text_data=compose("hi"))

    frames = [await ana_socket.receive_from(timeout=2), await ana_socket.receive_from(timeout=2)]
    composers = [frame for frame in frames if 'id="composer-fields"' in frame]
    messages = [frame for frame in frames if ">hi</p>" in frame]
    assert len(composers) == 1
    assert len(messages) == 1, "the sender's message comes once, with the broadcast"
    assert composers[0].startswith('<div id="composer-fields" class="composer-fields" hx-swap-oob="outerMorph"')
    assert "autofocus" not in composers[0], "the reply leaves the focus where the sender has it"
    assert re.search(r"<textarea[^>]*>\s*</textarea>", composers[0]), "the composer is empty again"
    assert await ana_socket.receive_nothing(timeout=0.2), "the broadcast copy is not shown twice"
    assert ">hi</p>" in await ben_socket.receive_from(timeout=2)
    assert await ben_socket.receive_nothing(timeout=0.2), "the composer goes to the sender alone"


async def test_each_send_is_answered_by_a_blank_composer_naming_it_with_a_fresh_id_for_the_next(
    design: Room, ana: User, connect: Connect
) -> None:
    socket = await connect(ana, design, cookies="django_language=ko")
    fresh_ids = []
    for body, client_id in (("one", str(uuid.uuid4())), ("two", '"><script>alert(1)</script>')):
        await socket.send_to(text_data=compose(body, client_id=client_id))
        frames = [await socket.receive_from(timeout=2), await socket.receive_from(timeout=2)]
        composer = next(frame for frame in frames if 'id="composer-fields"' in frame)

        assert f'data-answers="{escape(client_id)}"' in composer, "the page knows which send this answers"
        assert "<script>" not in composer
        assert re.search(r"<textarea[^>]*>\s*</textarea>", composer), "the composer is empty again"
        assert "aria-invalid" not in composer
        assert '<label for="id_body">메시지</label>' in composer, "in the language of the page"
        fresh_ids.append(uuid.UUID(re.search(r'name="client_id" value="([^"]*)"', composer)[1]))  # type: ignore[index]
    assert fresh_ids[0] != fresh_ids[1], "every composer starts a new message"
    assert await Message.objects.filter(author=ana).acount() == 2


async def test_the_sender_sees_their_message_even_when_its_broadcast_is_lost(
    design: Room, ana: User, connect: Connect
) -> None:
    socket = await connect(ana, design)
    with mock.patch("rooms.messages.changes.publish_change"):  # as if Redis were down
        await socket.send_to(text_data=compose("saved regardless"))
        composer = await socket.receive_from(timeout=2)
        message = await socket.receive_from(timeout=2)

    assert 'id="composer-fields"' in composer
    assert "aria-invalid" not in composer, "no error: the message was saved"
    assert ">saved regardless</p>" in message, "read back from the database"
    assert "data-quiet" in message, "the sender knows what they wrote: it is not announced back to them"
    assert await socket.receive_nothing(timeout=0.2)


async def test_a_member_of_another_room_receives_nothing(
    design: Room, ana: User, make_user: MakeUser, connect: Connect
) -> None:
    carl = await database_sync_to_async(make_user)("carl")
    elsewhere = await database_sync_to_async(membership.enter_room)(user=carl, name="Elsewhere", slug="elsewhere")
    ana_socket, carl_socket = await connect(ana, design), await connect(carl, elsewhere)

    await ana_socket.send_to(text_data=compose("only for design"))

    await ana_socket.receive_from(timeout=2)
    assert await carl_socket.receive_nothing(timeout=0.3)


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (compose(""), "The message is empty. Type something to send."),
        (compose("   "), "The message is empty. Type something to send."),
        (compose("x" * 4001), "A message can be at most 4000 characters long; this one has 4001."),
        (compose("a\x00b"), "This text contains a NUL character"),
        ('{"body": "lone \\ud800"}', "This text contains a broken character"),
        (json.dumps({"headers": {}}), "The message is empty. Type something to send."),
        (compose(None), "The message is empty. Type something to send."),
        ("not json at all", "The server could not read this message."),
        ("[1, 2, 3]", "The server could not read this message."),
        (compose(42), "The server could not read this message."),
        (compose(["a", "list"]), "The server could not read this message."),
        ("[" * 20_000 + "]" * 20_000, "The server could not read this message."),
    ],
    ids=[
        "empty",
        "whitespace",
        "too-long",
        "nul",
        "lone-surrogate",
        "missing-body",
        "null-body",
        "not-json",
        "not-an-object",
        "number-body",
        "list-body",
        "deeply-nested",
    ],
)
async def test_bad_input_gets_an_error_for_the_sender_only_and_nothing_is_saved(
    design: Room, ana: User, ben: User, connect: Connect, frame: str, error: str
) -> None:
    ana_socket, ben_socket = await connect(ana, design), await connect(ben, design)

    await ana_socket.send_to(text_data=frame)

    reply = await ana_socket.receive_from(timeout=2)
    assert 'id="composer-fields"' in reply
    assert error in reply
    assert 'aria-invalid="true"' in reply
    assert await ben_socket.receive_nothing(timeout=0.2)
    assert not await Message.objects.aexists()


async def test_a_refusal_does_not_send_the_text_back_nor_take_the_focus(
    design: Room, ana: User, connect: Connect
) -> None:
    # The page keeps what it sent and puts it back itself (composer.js; tests/browser/test_connection.py).
    socket = await connect(ana, design)
    await socket.send_to(text_data=compose("x" * 4001))
    reply = await socket.receive_from(timeout=2)
    assert "A message can be at most 4000 characters long" in reply
    assert "xxxx" not in reply
    assert "autofocus" not in reply


async def test_fields_claiming_another_author_are_ignored(design: Room, ana: User, ben: User, connect: Connect) -> None:
    socket = await connect(ana, design)
    await socket.send_to(text_data=compose("who am i", author=ben.pk, user=ben.pk, room=999))
    await socket.receive_from(timeout=2)

    message = await Message.objects.select_related("author", "room").aget()
    assert (message.author, message.room) == (ana, design)


async def test_a_binary_frame_closes_the_socket_as_unreadable(design: Room, ana: User, connect: Connect) -> None:
    socket = await connect(ana, design)
    await socket.send_to(bytes_data=b"\x00\x01")
    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.UNREADABLE}


async def test_a_member_who_left_is_cut_off_at_their_next_message(design: Room, ana: User, connect: Connect) -> None:
    socket = await connect(ana, design)
    await database_sync_to_async(membership.leave_room)(user=ana, room=design)

    await socket.send_to(text_data=compose("am I still here?"))

    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.NOT_A_MEMBER}
    assert not await Message.objects.aexists()


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost.evil.example", "null", None], ids=str)
async def test_a_foreign_or_missing_origin_is_refused_at_the_handshake(
    design: Room, ana: User, connect: Connect, origin: str | None
) -> None:
    await connect(ana, design, origin=origin, accept=False)


@pytest.mark.parametrize("origin", ["http://localhost:8001", "http://localhost", "https://localhost:8000"])
async def test_a_page_on_another_port_or_scheme_of_this_host_is_refused_at_the_handshake(
    design: Room, ana: User, connect: Connect, origin: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="rooms")
    await connect(ana, design, origin=origin, accept=False)
    assert (
        f"refused socket handshake: origin {origin} is not allowed (this site is http://localhost:8000)" in caplog.text
    )


async def test_a_handshake_addressed_to_a_host_outside_allowed_hosts_is_refused_whatever_its_origin(
    design: Room, ana: User, connect: Connect
) -> None:
    # A page served from evil.example, whose name was pointed at this server (DNS rebinding).
    await connect(ana, design, origin="http://evil.example:8000", host="evil.example:8000", accept=False)


@pytest.mark.parametrize("trusted", ["https://chat.example.org", "https://*.example.org"])
async def test_a_page_from_a_csrf_trusted_origin_may_open_a_socket(
    design: Room, ana: User, connect: Connect, settings: Settings, trusted: str
) -> None:
    # Behind a proxy that does not pass the Host on, the page's origin is one the operator trusted.
    settings.CSRF_TRUSTED_ORIGINS = [trusted]
    socket = await connect(ana, design, origin="https://chat.example.org")
    await socket.send_to(text_data=compose("through the proxy"))
    frames = [await socket.receive_from(timeout=2), await socket.receive_from(timeout=2)]
    assert any(">through the proxy</p>" in frame for frame in frames)
    await connect(ana, design, origin="https://other.example.com", accept=False)


async def test_an_anonymous_visitor_is_refused_at_the_handshake(design: Room, connect: Connect) -> None:
    await connect(None, design, accept=False)


async def test_someone_who_has_not_joined_is_refused_at_the_handshake(
    design: Room, make_user: MakeUser, connect: Connect
) -> None:
    carl = await database_sync_to_async(make_user)("carl")
    await connect(carl, design, accept=False)


async def test_an_unknown_room_is_refused_at_the_handshake(ana: User, connect: Connect) -> None:
    await connect(ana, Room(name="Nowhere", slug="nowhere"), accept=False)


# Delivery: exactly once, in order, whatever the network did


async def test_on_connect_a_page_gets_what_it_missed_in_order_and_only_that(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    for body in ("alpha", "bravo", "charlie"):
        await database_sync_to_async(say)(design, ana, body)

    socket = await connect(ben, design, after=1)

    missed = await socket.receive_from(timeout=2)
    assert missed.startswith('<ol id="message-list" hx-swap-oob="beforeend" data-quiet>'), "history, not news"
    assert "alpha" not in missed
    assert missed.index("bravo") < missed.index("charlie")
    assert missed.endswith('<data id="room-cursor" value="3" hx-swap-oob="true"></data>'), "the page's new cursor"
    assert await socket.receive_nothing(timeout=0.2)


async def test_a_page_that_is_up_to_date_gets_nothing_on_connect(design: Room, ana: User, connect: Connect) -> None:
    await database_sync_to_async(say)(design, ana, "seen already")
    assert await (await connect(ana, design, after=1)).receive_nothing(timeout=0.2)
    assert await (await connect(ana, design)).receive_nothing(timeout=0.2), "no cursor: the page is taken as current"


async def test_a_page_that_missed_more_than_a_page_gets_a_link_instead_of_a_wall(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    for n in range(PAGE_SIZE + 3):
        await database_sync_to_async(say)(design, ana, f"message {n}")

    socket = await connect(ben, design, after=1)

    notice = await socket.receive_from(timeout=2)
    assert f"{PAGE_SIZE + 2} new messages while you were away: show them" in notice
    assert 'href="/rooms/design/?after=1"' in notice, "the room from the first message this page missed"
    assert "message 7" not in notice

    await ana_sends(connect, ana, design, "and one more")
    assert "and one more" in await socket.receive_from(timeout=2), "live messages follow the link"


async def ana_sends(connect: Connect, ana: User, room: Room, body: str) -> None:
    sender = await connect(ana, room)
    await sender.send_to(text_data=compose(body))


async def test_a_broadcast_delivered_twice_is_shown_once(design: Room, ana: User, ben: User, connect: Connect) -> None:
    socket = await connect(ben, design, after=0)
    message = await database_sync_to_async(say)(design, ana, "once only")
    first = await socket.receive_from(timeout=2)

    await database_sync_to_async(publish)(
        MessageChanged(room_id=design.pk, change=message.seq, html={"en": first, "ko": first})
    )

    assert "once only" in first
    assert await socket.receive_nothing(timeout=0.2)


async def test_a_lost_broadcast_is_read_from_the_database_before_the_next_one(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    await database_sync_to_async(say)(design, ana, "before")
    socket = await connect(ben, design, after=0)
    assert "before" in await socket.receive_from(timeout=2), "catch-up done: what follows is live"
    with mock.patch("rooms.messages.changes.publish_change"):  # this one never reaches the channel layer
        await database_sync_to_async(say)(design, ana, "lost on the way")
    await database_sync_to_async(say)(design, ana, "arrived")

    gap = await socket.receive_from(timeout=2)
    latest = await socket.receive_from(timeout=2)
    assert "lost on the way" in gap
    assert "data-quiet" not in gap, "a gap in live messages is news, announced like the rest"
    assert "arrived" in latest
    assert await socket.receive_nothing(timeout=0.2)


async def test_a_frame_replayed_after_a_reconnect_is_stored_once(design: Room, ana: User, connect: Connect) -> None:
    frame = compose("sent twice", client_id=str(uuid.uuid4()))
    first, second = await connect(ana, design), await connect(ana, design)

    await first.send_to(text_data=frame)
    await first.receive_from(timeout=2)
    await second.send_to(text_data=frame)
    await second.receive_from(timeout=2)

    assert await Message.objects.filter(body="sent twice").acount() == 1


async def test_a_flood_over_the_socket_gets_a_visible_slow_down_for_that_sender_only(
    design: Room, ana: User, ben: User, connect: Connect, rate_limited: None
) -> None:
    ana_socket, ben_socket = await connect(ana, design), await connect(ben, design)
    for n in range(4):
        await ana_socket.send_to(text_data=compose(f"flood {n}"))

    frames = [await ana_socket.receive_from(timeout=2) for _ in range(4 + 3)]  # four composers, three messages
    assert sum("You are sending messages too fast." in frame for frame in frames) == 1
    assert await ana_socket.receive_nothing(timeout=0.2)
    ben_saw = [await ben_socket.receive_from(timeout=2) for _ in range(3)]
    assert "flood 3" not in "".join(ben_saw)
    assert await ben_socket.receive_nothing(timeout=0.2)
    assert await Message.objects.acount() == 3


async def test_a_flood_into_one_room_from_many_accounts_gets_a_visible_slow_down(
    design: Room, ana: User, ben: User, connect: Connect, set_limit: SetLimit
) -> None:
    set_limit("ROOM_MESSAGE_RATE_LIMIT", "2 per hour")
    ana_socket, ben_socket = await connect(ana, design), await connect(ben, design)
    await ana_socket.send_to(text_data=compose("one"))
    assert "one" in await frames(ana_socket, 2) + await frames(ben_socket, 1)
    await ben_socket.send_to(text_data=compose("two"))
    assert "two" in await frames(ben_socket, 2) + await frames(ana_socket, 1)

    await ana_socket.send_to(text_data=compose("three"))

    reply = await ana_socket.receive_from(timeout=2)
    assert "This room is receiving too many messages right now." in reply
    assert 'aria-invalid="true"' in reply
    assert await ben_socket.receive_nothing(timeout=0.2)
    assert await Message.objects.acount() == 2


async def frames(socket: WebsocketCommunicator, count: int) -> str:
    return "".join([await socket.receive_from(timeout=2) for _ in range(count)])


async def test_a_frame_resent_after_its_answer_was_lost_is_acknowledged_even_over_the_limit(
    design: Room, ana: User, ben: User, connect: Connect, rate_limited: None
) -> None:
    frames = [compose(f"message {n}", client_id=str(uuid.uuid4())) for n in range(3)]
    first = await connect(ana, design)
    for frame in frames:
        await first.send_to(text_data=frame)
        await first.receive_from(timeout=2)
        await first.receive_from(timeout=2)
    ben_socket = await connect(ben, design)

    # The answer to the last one was lost: the page reconnects and sends it again, and again.
    for _ in range(2):
        retry = await connect(ana, design)
        await retry.send_to(text_data=frames[2])
        composer = await retry.receive_from(timeout=2)
        assert f'data-answers="{json.loads(frames[2])["client_id"]}"' in composer
        assert "aria-invalid" not in composer, "acknowledged as sent: the page does not put the text back"
        assert "too fast" not in composer
        assert await retry.receive_nothing(timeout=0.2), "the page already shows it: nothing more comes"

    await retry.send_to(text_data=compose("a new one", client_id=str(uuid.uuid4())))
    assert "You are sending messages too fast." in await retry.receive_from(timeout=2)
    assert await ben_socket.receive_nothing(timeout=0.2), "nothing was broadcast again"
    assert await Message.objects.acount() == 3


async def test_a_frame_over_the_size_limit_closes_the_socket_as_too_large(
    design: Room, ana: User, connect: Connect
) -> None:
    socket = await connect(ana, design)
    await socket.send_to(text_data=compose("x" * 70_000))
    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.TOO_LARGE}
    assert not await Message.objects.aexists()


# Cut off: who may no longer be there stops receiving at once


async def test_signing_out_closes_that_browser_s_sockets_and_no_other(
    design: Room, ana: User, connect: Connect
) -> None:
    laptop, phone = await signed_in_browser(ana), await signed_in_browser(ana)
    laptop_socket = await connect(ana, design, browser=laptop)
    phone_socket = await connect(ana, design, browser=phone)

    await database_sync_to_async(laptop.post)("/accounts/logout/")

    assert await laptop_socket.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.SIGNED_OUT}
    assert await phone_socket.receive_nothing(timeout=0.2)


async def test_a_deactivated_user_s_sockets_are_all_closed(design: Room, ana: User, connect: Connect) -> None:
    sockets = [await connect(ana, design), await connect(ana, design)]
    ana.is_active = False
    await ana.asave()

    for socket in sockets:
        assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.DEACTIVATED}


async def test_leaving_a_room_closes_the_sockets_in_that_room_only(design: Room, ana: User, connect: Connect) -> None:
    elsewhere = await database_sync_to_async(membership.enter_room)(user=ana, name="Elsewhere", slug="elsewhere")
    in_design, in_elsewhere = await connect(ana, design), await connect(ana, elsewhere)

    await database_sync_to_async(membership.leave_room)(user=ana, room=design)

    assert await in_design.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.NOT_A_MEMBER}
    assert await in_elsewhere.receive_nothing(timeout=0.2)


async def test_one_person_cannot_open_sockets_without_end(design: Room, ana: User, ben: User, connect: Connect) -> None:
    browser = await signed_in_browser(ana)
    for _ in range(MAX_SOCKETS_PER_USER):
        await connect(ana, design, browser=browser)

    await connect(ana, design, browser=browser, accept=False)
    await connect(ben, design)  # others are not affected


async def test_a_cursor_past_the_newest_message_does_not_silence_the_page(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    socket = await connect(ben, design, after=999)
    await database_sync_to_async(say)(design, ana, "still heard")
    assert "still heard" in await socket.receive_from(timeout=2)


async def test_when_the_database_fails_during_catch_up_the_page_is_told_to_try_again_later(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    await database_sync_to_async(say)(design, ana, "missed")
    with mock.patch("rooms.messages.catch_up.render_missed", side_effect=OperationalError("database is down")):
        socket = await connect(ben, design, after=0)
        assert await socket.receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": close_codes.TRY_AGAIN_LATER,
        }


@pytest.mark.parametrize(
    ("cookies", "headers"),
    [("django_language=ko", ()), ("", ((b"accept-language", b"ko-KR,ko;q=0.9,en;q=0.5"),))],
    ids=["language-cookie", "accept-language"],
)
async def test_the_sender_s_errors_come_in_the_language_of_their_page(
    design: Room, ana: User, connect: Connect, cookies: str, headers: tuple[tuple[bytes, bytes], ...]
) -> None:
    socket = await connect(ana, design, cookies=cookies, extra_headers=headers)
    await socket.send_to(text_data=compose(""))
    assert "메시지가 비어 있습니다." in await socket.receive_from(timeout=2)


class DroppingServer:
    """A server's side of one socket, as uvicorn's is once it dropped the socket (config/websocket_protocol.py):
    every send after the accept raises ClientDisconnected (an OSError); a disconnect event comes only if the
    consumer is still reading."""

    def __init__(self, browser: Client, room: Room) -> None:
        cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
        headers = [(b"host", b"localhost:8000"), (b"origin", b"http://localhost:8000"), (b"cookie", cookie)]
        self.scope = WebsocketCommunicator(application, room.get_socket_url(), headers=headers).scope
        self.events: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        self.accepted = asyncio.Event()
        self.events.put_nowait({"type": "websocket.connect"})

    async def send(self, message: dict[str, object]) -> None:
        if self.accepted.is_set():
            raise OSError("gone")
        self.accepted.set()

    async def run(self) -> None:
        with contextlib.suppress(OSError):  # as uvicorn's run_asgi does
            await asyncio.wait_for(application(self.scope, self.events.get, self.send), timeout=5)


async def test_a_socket_found_gone_by_its_own_close_gives_its_place_back(
    design: Room, ana: User, connect: Connect
) -> None:
    browser = await signed_in_browser(ana)
    server = DroppingServer(browser, design)
    server.events.put_nowait({"type": "websocket.receive", "bytes": b"\0"})  # closed as unreadable: the send raises
    await server.run()

    for _ in range(MAX_SOCKETS_PER_USER):
        await connect(ana, design, browser=browser)


async def test_a_cut_off_that_finds_the_socket_gone_is_no_error(
    design: Room, ana: User, caplog: pytest.LogCaptureFixture
) -> None:
    server = DroppingServer(await signed_in_browser(ana), design)
    running = asyncio.create_task(server.run())
    await server.accepted.wait()
    await database_sync_to_async(membership.leave_room)(user=ana, room=design)  # closes her socket, whose send raises
    await asyncio.sleep(0.1)
    server.events.put_nowait({"type": "websocket.disconnect", "code": 1006})
    await running
    del server, running
    gc.collect()  # a task's unretrieved exception is logged when the task is freed
    assert "exception was never retrieved" not in caplog.text


# Edits and deletions: live, and caught up after a reconnect (DESIGN.md §2)


async def test_an_edit_and_a_deletion_reach_every_page_in_the_room_as_replacements(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    message = await database_sync_to_async(say)(design, ana, "first words")
    ben_socket, ben_in_korean = await connect(ben, design), await connect(ben, design, cookies="django_language=ko")

    await database_sync_to_async(edit_message)(
        room=design, editor=ana, message_id=message.pk, data={"body": "better words"}
    )
    edited = await ben_socket.receive_from(timeout=2)
    assert edited.startswith(f'<li id="message-{message.pk}" class="message"')
    assert 'hx-swap-oob="outerMorph"' in edited
    assert "better words" in edited
    assert "(edited)" in edited
    assert edited.endswith('<data id="room-cursor" value="2" hx-swap-oob="true"></data>')
    assert "(수정됨)" in await ben_in_korean.receive_from(timeout=2), "each page in its own language"

    await database_sync_to_async(delete_message)(room=design, deleter=ana, message_id=message.pk)
    deleted = await ben_socket.receive_from(timeout=2)
    assert f'<li id="message-{message.pk}" class="message deleted"' in deleted
    assert "This message was deleted." in deleted
    assert "better words" not in deleted
    assert await ben_socket.receive_nothing(timeout=0.2)


async def test_after_reconnecting_a_page_gets_each_change_it_missed_once_in_order_and_quietly(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    kept = await database_sync_to_async(say)(design, ana, "kept")
    gone = await database_sync_to_async(say)(design, ana, "gone")
    ben_socket = await connect(ben, design, after=0)
    assert "gone" in await ben_socket.receive_from(timeout=2)
    await ben_socket.disconnect()  # the laptop closes

    def while_away() -> None:
        edit_message(room=design, editor=ana, message_id=kept.pk, data={"body": "kept, edited once"})
        say(design, ana, "said while away")
        edit_message(room=design, editor=ana, message_id=kept.pk, data={"body": "kept, edited twice"})
        delete_message(room=design, deleter=ana, message_id=gone.pk)

    await database_sync_to_async(while_away)()
    back = await connect(ben, design, after=2)  # the cursor its page kept: change 2

    caught_up = await back.receive_from(timeout=2)
    # kept changed last at 5, gone at 6: replaced in that order, then the new one appended
    assert caught_up.index(f'<li id="message-{kept.pk}"') < caught_up.index(
        f'<li id="message-{gone.pk}" class="message deleted"'
    ), "in the order they changed"
    assert caught_up.count("kept, edited") == 1
    assert "kept, edited twice" in caught_up
    assert '<ol id="message-list" hx-swap-oob="beforeend" data-quiet>' in caught_up, "the new one, unannounced"
    assert caught_up.index("kept, edited twice") < caught_up.index("said while away")
    assert caught_up.endswith('<data id="room-cursor" value="6" hx-swap-oob="true"></data>')
    assert await back.receive_nothing(timeout=0.2), "once each"


async def test_a_change_whose_broadcast_was_lost_is_read_back_before_the_next(
    design: Room, ana: User, ben: User, connect: Connect
) -> None:
    message = await database_sync_to_async(say)(design, ana, "to be edited")
    socket = await connect(ben, design, after=0)
    assert "to be edited" in await socket.receive_from(timeout=2), "catch-up done: what follows is live"
    with mock.patch("rooms.messages.changes.publish_change"):
        await database_sync_to_async(edit_message)(
            room=design, editor=ana, message_id=message.pk, data={"body": "edited, lost on the way"}
        )
    await database_sync_to_async(say)(design, ana, "arrived")

    gap, latest = await socket.receive_from(timeout=2), await socket.receive_from(timeout=2)
    assert "edited, lost on the way" in gap
    assert 'hx-swap-oob="outerMorph"' in gap
    assert "data-quiet" not in gap
    assert "arrived" in latest
    assert await socket.receive_nothing(timeout=0.2)


async def test_the_consumer_refuses_to_deliver_an_event_it_does_not_know() -> None:
    consumer = RoomConsumer()
    with pytest.raises(TypeError, match="does not know the event"):
        await consumer.handle(object())  # type: ignore[arg-type]


# Private rooms (DESIGN.md §4)


async def test_a_private_room_s_socket_is_refused_to_outsiders_and_closed_when_a_member_is_removed(
    ana: User, ben: User, make_user: MakeUser, connect: Connect
) -> None:
    hideout = await database_sync_to_async(membership.create_private_room)(user=ana, name="Hideout")
    await database_sync_to_async(membership.add_member)(room=hideout, user=ben)
    carl = await database_sync_to_async(make_user)("carl")
    await connect(carl, hideout, accept=False)
    ben_socket = await connect(ben, hideout)

    await database_sync_to_async(membership.remove_member)(room=hideout, user=ben)

    assert await ben_socket.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.NOT_A_MEMBER}
    await database_sync_to_async(say)(hideout, ana, "after ben left")
    await connect(ben, hideout, accept=False)

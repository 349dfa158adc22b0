"""Who is here and who is typing, through the real ASGI stack (one process, the in-memory store and layer).

Ephemeral (DESIGN.md §2): a page is sent the list whole when its socket opens, then each person coming
or going as one small fragment; typing is relayed to the others, never back, at most every few seconds.
"""

import asyncio
import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from config.asgi import application
from rooms.events import PresenceChanged
from rooms.messages import catch_up, composing
from rooms.models import Message, Room, User
from rooms.people import membership, typing
from rooms.people.presence import person_item, render_changes
from rooms.sockets import Change, broadcast, close_codes, present_now
from rooms.sockets.consumer import MAX_BACKLOG
from tests.conftest import MakeUser
from tests.sockets.room_sockets import RoomSocket, signed_in_browser
from tests.sockets.test_consumer import compose

pytestmark = pytest.mark.django_db(transaction=True)

Open = Callable[..., Awaitable[RoomSocket]]

LIST_WHOLE = '<ul id="people-here-list" hx-swap-oob="innerHTML">'
CAME = '<ul id="people-here-list" hx-swap-oob="beforeend">'
TYPING = json.dumps({"typing": True})


@pytest.fixture
async def open_page() -> AsyncIterator[Open]:
    """Open a room socket as a page does, seeing every frame (who is here and who is typing included)."""
    opened: list[RoomSocket] = []

    async def open_socket(user: User, room: Room, *, language: str = "en") -> RoomSocket:
        browser = await signed_in_browser(user)
        cookie = f"sessionid={browser.cookies['sessionid'].value}; django_language={language}"
        headers = [(b"host", b"localhost:8000"), (b"origin", b"http://localhost:8000"), (b"cookie", cookie.encode())]
        socket = RoomSocket(application, room.get_socket_url(), headers=headers, ephemeral=True)
        connected, _ = await socket.connect()
        assert connected
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        await socket.disconnect()


async def frames_until(socket: RoomSocket, text: str) -> list[str]:
    """The frames this page is sent until one holds `text` (that one last)."""
    frames = [await socket.receive_from(timeout=2)]
    while text not in frames[-1]:
        frames.append(await socket.receive_from(timeout=2))
    return frames


async def settled(socket: RoomSocket) -> RoomSocket:
    """Read what a page is sent on opening, up to the list whole: what follows is live."""
    await frames_until(socket, LIST_WHOLE)
    return socket


async def drained(socket: RoomSocket) -> list[str]:
    """What this page is sent until it has been sent nothing for a moment (longer than people coming and
    going are held back to go together, settings.PRESENCE_COALESCE)."""
    frames = []
    while not await socket.receive_nothing(timeout=settings.PRESENCE_COALESCE + 0.2):
        frames.append(await socket.receive_from(timeout=1))
    return frames


async def close_code(socket: RoomSocket) -> int:
    """How this page's socket was closed, past whatever it was sent before."""
    while (output := await socket.receive_output(timeout=2))["type"] != "websocket.close":
        pass
    return int(output["code"])


def listed(frame: str) -> list[str]:
    """The usernames a frame lists, in its order."""
    return re.findall(r'<li id="person-\d+" data-user-id="\d+">.*?@<bdi>([^<]*)</bdi>', frame)


async def test_a_page_is_sent_the_list_whole_when_its_socket_opens_in_the_order_people_came(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    await settled(await open_page(ana, design))
    await settled(await open_page(ben, design))

    frames = await frames_until(await open_page(ana, design), LIST_WHOLE)  # Ana's second tab

    whole = frames[-1]
    assert whole.startswith(LIST_WHOLE)
    assert listed(whole) == ["ana", "ben"]
    assert whole.endswith('<h2 id="people-here-count" class="people-count" hx-swap-oob="true">2 people here</h2>')
    assert all(LIST_WHOLE not in frame for frame in frames[:-1]), "once"


async def test_the_count_speaks_the_language_of_the_page(design: Room, ana: User, ben: User, open_page: Open) -> None:
    await settled(await open_page(ana, design))
    frames = await frames_until(await open_page(ben, design, language="ko"), LIST_WHOLE)
    assert frames[-1].endswith(">2명 접속 중</h2>")


async def test_someone_coming_is_their_item_appended_with_the_count_and_nothing_more(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    anas = await settled(await open_page(ana, design))

    await open_page(ben, design)

    came = await anas.receive_from(timeout=2)
    assert came == (
        f'{CAME}<li id="person-{ben.pk}" data-user-id="{ben.pk}"><bdi class="name">Ben</bdi>'
        ' <span class="username">@<bdi>ben</bdi></span></li></ul>'
        '<h2 id="people-here-count" class="people-count" hx-swap-oob="true">2 people here</h2>'
    )
    assert await anas.receive_nothing(timeout=0.2), "not the whole list again"


async def test_a_name_is_shown_as_messages_show_it_escaped_and_without_a_username_that_says_the_same(
    design: Room, ana: User, make_user: MakeUser, open_page: Open
) -> None:
    carl = await database_sync_to_async(make_user)("carl", "carl")
    mallory = await database_sync_to_async(make_user)("mallory", '<img src=x onerror="alert(1)">')
    for person in (carl, mallory):
        await database_sync_to_async(membership.join_room)(user=person, room=design)
    anas = await settled(await open_page(ana, design))

    await open_page(carl, design)
    await open_page(mallory, design)

    came = "".join(await frames_until(anas, "@<bdi>mallory</bdi>"))  # one frame or two (PRESENCE_COALESCE)
    assert '<bdi class="name">carl</bdi></li>' in came, "no @carl beside carl"
    assert '<bdi class="name">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</bdi>' in came
    assert "<img" not in came


async def test_a_person_comes_with_their_first_tab_and_goes_with_their_last(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    anas = await settled(await open_page(ana, design))
    first_tab = await open_page(ben, design)
    assert (await anas.receive_from(timeout=2)).startswith(CAME)

    second_tab = await settled(await open_page(ben, design))
    assert await anas.receive_nothing(timeout=0.2), "a second tab is no news"
    await first_tab.disconnect()
    assert await anas.receive_nothing(timeout=0.2), "nor is closing one of two"

    await second_tab.disconnect()

    went = await anas.receive_from(timeout=2)
    assert went == (
        f'<li id="person-{ben.pk}" hx-swap-oob="delete"></li>'
        '<h2 id="people-here-count" class="people-count" hx-swap-oob="true">1 person here</h2>'
    )


async def test_a_page_that_reconnects_is_sent_the_list_as_it_is_now_not_what_changed(
    design: Room, ana: User, ben: User, make_user: MakeUser, open_page: Open
) -> None:
    carl = await database_sync_to_async(make_user)("carl", "Carl")
    await database_sync_to_async(membership.join_room)(user=carl, room=design)
    bens = await settled(await open_page(ben, design))
    await bens.disconnect()  # the laptop closes
    carls = await settled(await open_page(carl, design))
    await settled(await open_page(ana, design))
    await carls.disconnect()

    frames = await frames_until(await open_page(ben, design), LIST_WHOLE)

    assert listed(frames[-1]) == ["ana", "ben"], "Carl came and went while Ben was away: nothing of it"
    assert "Carl" not in "".join(frames)


async def test_the_room_page_lists_who_is_here(design: Room, ana: User, ben: User, open_page: Open) -> None:
    await settled(await open_page(ben, design))

    client = await signed_in_browser(ana)
    page = (await database_sync_to_async(client.get)("/rooms/design/")).content.decode()

    region = re.search(r'<section id="people-here".*?</section>', page, re.S)
    assert region is not None
    assert '<h2 id="people-here-count" class="people-count">1 person here</h2>' in region.group()
    assert listed(region.group()) == ["ben"]


async def test_people_in_another_room_are_not_heard_of(
    design: Room, ana: User, make_user: MakeUser, open_page: Open
) -> None:
    carl = await database_sync_to_async(make_user)("carl", "Carl")
    elsewhere = await database_sync_to_async(membership.enter_room)(user=carl, name="Elsewhere", slug="elsewhere")
    anas = await settled(await open_page(ana, design))

    await settled(await open_page(carl, elsewhere))

    assert await anas.receive_nothing(timeout=0.2)


# Typing


async def test_typing_reaches_the_other_pages_and_none_of_the_typist_s_own(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    typing_tab, other_tab = await settled(await open_page(ana, design)), await settled(await open_page(ana, design))
    bens = await settled(await open_page(ben, design))
    await drained(typing_tab)
    await drained(other_tab)

    await typing_tab.send_to(text_data=TYPING)

    assert await bens.receive_from(timeout=2) == (
        f'<ul id="typists" hx-swap-oob="beforeend"><li id="typist-{ana.pk}" data-user-id="{ana.pk}">'
        '<bdi class="name">Ana</bdi> <span class="username">@<bdi>ana</bdi></span></li></ul>'
    )
    for tab in (typing_tab, other_tab):
        assert all("typist" not in frame for frame in await drained(tab)), "one's own typing is not shown to one"
    assert not await Message.objects.aexists(), "nothing is stored"


async def test_typing_faster_than_a_page_sends_it_is_ignored_and_the_socket_stays_open(
    design: Room, ana: User, ben: User, open_page: Open, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(typing, "TYPING_INTERVAL", 0.5)
    anas = await settled(await open_page(ana, design))
    bens = await settled(await open_page(ben, design))
    await drained(anas)

    for _ in range(5):
        await anas.send_to(text_data=TYPING)

    assert "typist" in await bens.receive_from(timeout=2)
    assert await bens.receive_nothing(timeout=0.3), "the four others within the interval were ignored"
    await anas.send_to(text_data=compose("still here"))
    assert "still here" in "".join(await frames_until(bens, "still here")), "not closed for it"
    await frames_until(anas, "still here")

    await asyncio.sleep(0.5)  # the interval has passed
    await anas.send_to(text_data=TYPING)
    assert "typist" in await bens.receive_from(timeout=2)


@pytest.mark.parametrize(
    "frame",
    [
        json.dumps({"typing": True, "body": "sent as typing"}),
        json.dumps({"typing": "yes"}),
        json.dumps({"typing": None}),
        json.dumps({"typing": True, "headers": {"HX-Request": "true"}}),
    ],
    ids=["with-a-body", "a-string", "null", "with-headers"],
)
async def test_a_typing_frame_that_holds_more_or_other_is_unreadable_and_never_a_message(
    design: Room, ana: User, ben: User, open_page: Open, frame: str
) -> None:
    anas = await settled(await open_page(ana, design))
    bens = await settled(await open_page(ben, design))
    await drained(anas)

    await anas.send_to(text_data=frame)

    assert await anas.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.UNREADABLE}
    while not await bens.receive_nothing(timeout=0.2):
        assert "typist" not in await bens.receive_from(timeout=1)
    assert not await Message.objects.aexists()


async def test_a_typing_frame_gets_no_answer_and_a_message_about_typing_is_a_message(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    anas = await settled(await open_page(ana, design))
    await settled(await open_page(ben, design))
    await drained(anas)

    await anas.send_to(text_data=TYPING)
    assert await anas.receive_nothing(timeout=0.3), "no composer, no error: typing is not a message"
    await anas.send_to(text_data=compose("typing"))

    assert any("typing</p>" in frame for frame in await frames_until(anas, "typing</p>"))
    assert await Message.objects.filter(body="typing").aexists()


async def test_composing_tells_a_typing_frame_from_a_compose_frame() -> None:
    assert typing.is_typing_frame(composing.read_frame(TYPING))
    assert not typing.is_typing_frame(composing.read_frame(compose("hello")))
    assert not typing.is_typing_frame(composing.read_frame(json.dumps({"body": "typing", "client_id": "typing"})))
    assert not typing.is_typing_frame(composing.read_frame("[1, 2]"))


async def test_typing_from_someone_who_left_in_another_tab_closes_their_socket_unrelayed(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    anas = await settled(await open_page(ana, design))
    bens = await settled(await open_page(ben, design))
    await drained(anas)
    with mock.patch("rooms.people.cutoff.cut_off_from_room"):  # the cut-off has not arrived yet
        await database_sync_to_async(membership.leave_room)(user=ana, room=design)

    await anas.send_to(text_data=TYPING)

    assert await close_code(anas) == close_codes.NOT_A_MEMBER
    assert all("typist" not in frame for frame in await drained(bens))


async def test_a_change_the_list_already_holds_is_not_sent_again_and_a_newer_one_is(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    bens = await open_page(ben, design)
    frames = await frames_until(bens, LIST_WHOLE)
    stamp = await database_sync_to_async(lambda: present_now(design.pk).stamp)()
    assert listed(frames[-1]) == ["ben"]

    def came(stamp: int) -> PresenceChanged:
        return render_changes([Change(design.pk, ana.pk, True, stamp, 2, person_item(ana))])

    await broadcast(came(stamp - 1))  # made before the list was read, and delivered after it
    assert await bens.receive_nothing(timeout=0.2)
    await broadcast(came(stamp + 1))
    assert listed(await bens.receive_from(timeout=2)) == ["ana"]


async def test_people_coming_and_going_while_a_page_waits_become_the_list_whole_and_never_close_it(
    design: Room, ana: User, ben: User, open_page: Open
) -> None:
    held, released = threading.Event(), threading.Event()
    real = catch_up.render_missed

    def slow_catch_up(*args: Any, **kwargs: Any) -> Any:
        held.set()
        released.wait(timeout=5)
        return real(*args, **kwargs)

    with mock.patch("rooms.messages.catch_up.render_missed", side_effect=slow_catch_up):
        opening = asyncio.ensure_future(open_page(ben, design))
        await asyncio.to_thread(held.wait, 5)  # Ben's page waits for its catch-up
        for stamp in range(1, MAX_BACKLOG + 50):  # more than a page may fall behind by
            came = Change(design.pk, 10_000 + stamp, True, 2**60 + stamp, stamp, "<li></li>")
            await broadcast(render_changes([came]))
        released.set()
        bens = await opening

    frames = await drained(bens)
    assert sum(frame.startswith(LIST_WHOLE) for frame in frames) == 1
    assert frames[-1].startswith(LIST_WHOLE), "the latest of them in the list, none after it"
    assert sum(frame.startswith(CAME) for frame in frames) <= MAX_BACKLOG // 2, "the rest never waited"
    await bens.send_to(text_data=compose("still open"))
    assert any("still open" in frame for frame in await frames_until(bens, "still open"))

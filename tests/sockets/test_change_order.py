"""A room's changes reach this process's sockets in number order, whatever order their broadcasts came in."""

import asyncio
from unittest import mock

import pytest
from channels.db import database_sync_to_async

from rooms.events import MessageChanged
from rooms.messages.broadcast import render_change
from rooms.messages.editing import edit_message
from rooms.models import Room, User
from rooms.sockets import change_order
from rooms.sockets.change_order import ChangeOrder
from rooms.sockets.fanout import process_fanout
from tests.conftest import say
from tests.sockets.test_consumer import Connect, connect  # noqa: F401  (the fixture)


def change(number: int, room_id: int = 1) -> MessageChanged:
    return MessageChanged(room_id=room_id, change=number, html={"en": f"change {number}"})


async def handed_on_after(*arrivals: MessageChanged, wait: float = 0) -> list[int]:
    handed: list[int] = []
    order = ChangeOrder(asyncio.get_running_loop(), lambda event: handed.append(event.change))
    for event in arrivals:
        order.arrived(event)
    await asyncio.sleep(wait)
    return handed


async def test_changes_in_order_go_straight_on() -> None:
    assert await handed_on_after(change(5), change(6), change(7)) == [5, 6, 7]


async def test_a_change_that_comes_early_waits_for_the_ones_before_it() -> None:
    assert await handed_on_after(change(5), change(7), change(8), change(6)) == [5, 6, 7, 8]


async def test_a_copy_of_a_change_handed_on_already_is_dropped() -> None:
    assert await handed_on_after(change(5), change(6), change(5), change(6), change(7)) == [5, 6, 7]


async def test_rooms_wait_each_for_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(change_order, "GAP_WAIT_SECONDS", 0.05)
    handed = await handed_on_after(change(1, room_id=1), change(1, room_id=2), change(3, room_id=1), change(2, 2))
    assert handed == [1, 1, 2]


async def test_when_a_missing_change_never_comes_the_rest_go_on_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(change_order, "GAP_WAIT_SECONDS", 0.05)
    assert await handed_on_after(change(5), change(8), change(7), wait=0.1) == [5, 7, 8]


@pytest.mark.django_db(transaction=True)
async def test_an_edit_published_before_the_message_before_it_reaches_every_page_without_a_read(
    design: Room,
    ana: User,
    ben: User,
    connect: Connect,  # noqa: F811
) -> None:
    message = await database_sync_to_async(say)(design, ana, "first")
    socket = await connect(ben, design, after=0)
    assert "first" in await socket.receive_from(timeout=2), "catch-up done"
    fanout = process_fanout()

    # As when the edit view's change overtakes a message held on a socket's database trip.
    with mock.patch("rooms.messages.changes.publish_change") as held:
        await database_sync_to_async(say)(design, ana, "second")  # change 2, not published yet
        await database_sync_to_async(edit_message)(
            room=design, editor=ana, message_id=message.pk, data={"body": "first, edited"}
        )  # change 3
    (second, _), (edited, _) = [(call.args[0], call.args[1]) for call in held.call_args_list]

    with mock.patch("rooms.messages.catch_up.render_missed") as read_back:
        fanout.hand_out(MessageChanged(room_id=design.pk, change=3, html=render_change(edited, 3)))
        fanout.hand_out(MessageChanged(room_id=design.pk, change=2, html=render_change(second, 2)))
        frames = [await socket.receive_from(timeout=2), await socket.receive_from(timeout=2)]

    read_back.assert_not_called()
    assert "second" in frames[0]
    assert "first, edited" in frames[1]

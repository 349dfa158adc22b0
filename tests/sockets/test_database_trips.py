"""The sockets' trips to the database thread (rooms/sockets/database_trips.py)."""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from rooms.events import Event, MessageChanged, room_group
from rooms.sockets import database_trips
from rooms.sockets.database_trips import in_database_thread
from rooms.sockets.fanout import LayerRecovered, process_fanout, publish

# A failed call makes the thread check its database connection, as database_sync_to_async does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trips() -> Iterator[list[int]]:
    """The number of calls on each trip the test makes."""
    sizes: list[int] = []
    run_each = database_trips.run_each

    def counted(calls: list[Any]) -> list[Any]:
        sizes.append(len(calls))
        return run_each(calls)

    with mock.patch("rooms.sockets.database_trips.run_each", counted):
        yield sizes


async def test_calls_made_while_the_thread_is_busy_share_one_trip_and_each_gets_its_own_answer(
    trips: list[int],
) -> None:
    busy, free = threading.Event(), threading.Event()

    def slow() -> str:
        busy.set()
        free.wait(5)
        return "slow"

    def refused() -> str:
        raise PermissionDenied

    # One room's calls (one lane) keep to one thread, whatever the number of threads.
    first = asyncio.create_task(in_database_thread(slow, lane="room"))
    await asyncio.to_thread(busy.wait, 5)
    waiting = [asyncio.create_task(in_database_thread(str, n, lane="room")) for n in range(5)]
    waiting.append(asyncio.create_task(in_database_thread(refused, lane="room")))
    waiting.append(asyncio.create_task(in_database_thread(str.upper, "after", lane="room")))
    await asyncio.sleep(0)  # all of them asked while the thread is still busy
    free.set()

    assert await first == "slow"
    answers = await asyncio.gather(*waiting, return_exceptions=True)
    assert answers[:5] == ["0", "1", "2", "3", "4"], "in order, each its own"
    assert isinstance(answers[5], PermissionDenied), "an error goes to its own caller..."
    assert answers[6] == "AFTER", "...and not to the calls after it"
    assert trips == [1, 7]


async def test_what_a_call_publishes_is_handed_out_before_its_caller_goes_on(trips: list[int]) -> None:
    handed_out: list[str] = []

    class Page:
        def deliver(self, event: Event | LayerRecovered) -> None:
            assert isinstance(event, MessageChanged)
            handed_out.append(event.html["en"])

    await process_fanout().subscribe(room_group(1), Page())

    def post() -> list[str]:
        publish(MessageChanged(room_id=1, change=1, html={"en": "saved"}))
        return list(handed_out)

    seen_in_thread = await in_database_thread(post)

    assert seen_in_thread == [], "held while the call runs..."
    assert handed_out == ["saved"], "...and out by the time its caller resumes"


async def test_a_room_stuck_on_its_thread_holds_up_its_own_calls_only(settings: Any) -> None:
    settings.DATABASE_THREADS = 3
    stuck, free = threading.Event(), threading.Event()
    done: list[str] = []

    def wait_on_a_lock() -> str:
        stuck.set()
        free.wait(5)
        done.append("A first")
        return "A first"

    def quick(name: str) -> str:
        done.append(name)
        return name

    first = asyncio.create_task(in_database_thread(wait_on_a_lock, lane="room A"))
    await asyncio.to_thread(stuck.wait, 5)
    behind = asyncio.create_task(in_database_thread(quick, "A second", lane="room A"))

    assert await asyncio.wait_for(in_database_thread(quick, "B", lane="room B"), 2) == "B", "another room goes on"
    assert await asyncio.wait_for(in_database_thread(quick, "anyone"), 2) == "anyone", "so does work of no room"
    assert not behind.done(), "room A's next call waits for its first: a room's calls keep their order"
    free.set()
    assert [await first, await behind] == ["A first", "A second"]
    assert done == ["B", "anyone", "A first", "A second"]

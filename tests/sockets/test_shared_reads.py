"""Pages of one process that miss the same changes at once share one database read."""

import asyncio
from unittest import mock

import pytest
from channels.db import database_sync_to_async

from rooms.messages import catch_up
from rooms.models import Room, User
from rooms.sockets.shared_reads import SharedReads
from tests.conftest import MakeUser, say
from tests.sockets.test_consumer import Connect, connect  # noqa: F401  (the fixture)


async def test_reads_of_one_key_at_once_are_one_read_and_each_gets_its_result() -> None:
    reads = SharedReads[str]()
    calls = 0

    async def fetch() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "the changes"

    results = await asyncio.gather(*(reads.read("room 1 after 5", fetch) for _ in range(10)))
    assert results == ["the changes"] * 10
    assert calls == 1
    assert await reads.read("room 1 after 5", fetch) == "the changes"
    assert calls == 2, "once it is done, the next read is a new one"


async def test_a_failed_read_fails_for_everyone_who_waited_for_it() -> None:
    reads = SharedReads[str]()

    async def fetch() -> str:
        await asyncio.sleep(0.01)
        raise OSError("the database went away")

    results = await asyncio.gather(*(reads.read("key", fetch) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(result, OSError) for result in results)


@pytest.mark.django_db(transaction=True)
async def test_after_a_lost_broadcast_the_pages_of_a_room_read_the_gap_once(
    design: Room,
    ana: User,
    make_user: MakeUser,
    connect: Connect,  # noqa: F811
) -> None:
    readers = [await database_sync_to_async(make_user)(f"reader{n}") for n in range(5)]
    sockets = []
    for reader in readers:
        await database_sync_to_async(design.members.add)(reader)
        sockets.append(await connect(reader, design))
    with mock.patch("rooms.messages.changes.publish_change"):  # lost on the way
        await database_sync_to_async(say)(design, ana, "lost")

    with mock.patch("rooms.sockets.consumer.catch_up.render_missed", wraps=catch_up.render_missed) as read:
        await database_sync_to_async(say)(design, ana, "arrived")
        for socket in sockets:
            assert "lost" in await socket.receive_from(timeout=3)
            assert "arrived" in await socket.receive_from(timeout=3)

    assert read.call_count == 1

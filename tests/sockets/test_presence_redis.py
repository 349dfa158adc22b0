"""Who is here, in the real Redis (rooms/sockets/presence_redis.py): two processes' entries, expiry, what was lost.

Each "process" here is a store with a process id of its own, as two servers would have.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis
from pytest_django.fixtures import Settings

from rooms.sockets.presence import Arrive, Beat, Change, Depart
from rooms.sockets.presence_redis import RedisPresence, room_keys, snapshot_now
from tests.services import require_redis

pytestmark = pytest.mark.redis

ROOM = 7

Store = Callable[..., RedisPresence]


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    url = require_redis()
    settings.REDIS_KEY_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    made: list[RedisPresence] = []

    def make(*, ttl: float = 30) -> RedisPresence:
        made.append(RedisPresence(url, process=uuid.uuid4().hex[:12], ttl=ttl, keep=60))
        return made[-1]

    yield make
    await made[0].client.delete(*room_keys(ROOM))
    for each in made:
        await each.close()


def who(changes: list[Change]) -> list[tuple[int, bool, int]]:
    return [(change.user_id, change.here, change.count) for change in changes]


async def test_a_person_held_by_two_processes_goes_only_when_both_let_go(store: Store) -> None:
    a, b = store(), store()
    (came,) = await a.apply([Arrive(ROOM, 1, "<li>Ana</li>")])
    assert who(came.changes) == [(1, True, 1)]
    assert came.changes[0].item == "<li>Ana</li>"
    (also,) = await b.apply([Arrive(ROOM, 1, "<li>Ana</li>")])
    assert also.changes == [], "her tab in the other process is no news"

    (one_left,) = await a.apply([Depart(ROOM, 1)])
    assert one_left.changes == []
    (gone,) = await b.apply([Depart(ROOM, 1)])
    assert who(gone.changes) == [(1, False, 0)]
    assert gone.changes[0].stamp > came.changes[0].stamp


async def test_the_list_is_in_the_order_people_came_with_the_stamp_of_the_latest_change(store: Store) -> None:
    a = store()
    outcomes = await a.apply([Arrive(ROOM, 2, "<li>Ben</li>"), Arrive(ROOM, 1, "<li>Ana</li>")])
    snapshot = await a.snapshot(ROOM)
    assert snapshot.items == ["<li>Ben</li>", "<li>Ana</li>"]
    assert snapshot.stamp == outcomes[1].changes[0].stamp
    assert await asyncio.to_thread(snapshot_now, require_redis(), ROOM) == snapshot, "as a page reads it"


async def test_a_dead_process_s_people_expire_and_the_next_call_of_a_live_one_says_they_went(store: Store) -> None:
    dead, alive = store(ttl=0.3), store()
    await dead.apply([Arrive(ROOM, 1, "<li>Ana</li>")])
    await alive.apply([Arrive(ROOM, 2, "<li>Ben</li>")])

    await asyncio.sleep(0.4)  # the dead one never renews
    (beat,) = await alive.apply([Beat(ROOM, (2,))])

    assert who(beat.changes) == [(1, False, 1)]
    assert (await alive.snapshot(ROOM)).items == ["<li>Ben</li>"]
    (again,) = await alive.apply([Beat(ROOM, (2,))])
    assert again.changes == [], "said once, by whoever noticed first"


async def test_renewing_keeps_people_past_their_first_expiry(store: Store) -> None:
    a = store(ttl=0.3)
    await a.apply([Arrive(ROOM, 1, "<li>Ana</li>")])
    for _ in range(4):
        await asyncio.sleep(0.15)
        (beat,) = await a.apply([Beat(ROOM, (1,))])
        assert beat.changes == []
    assert (await a.snapshot(ROOM)).count == 1


async def test_people_redis_lost_are_named_by_a_renewal_to_be_put_back(store: Store) -> None:
    a = store()
    first = (await a.apply([Arrive(ROOM, 1, "<li>Ana</li>")]))[0].changes[0]
    await a.client.delete(*room_keys(ROOM))  # Redis restarted empty

    (beat,) = await a.apply([Beat(ROOM, (1,))])
    assert beat.missing == [1]
    (back,) = await a.apply([Arrive(ROOM, 1, "<li>Ana</li>")])
    assert who(back.changes) == [(1, True, 1)]
    assert back.changes[0].stamp > first.stamp, "stamps follow Redis's clock: they keep growing"


async def test_redis_down_is_an_error_the_caller_can_tell(settings: Settings) -> None:
    settings.REDIS_KEY_PREFIX = "test-down"
    gone = RedisPresence("redis://127.0.0.1:1/0", process="p", ttl=1, keep=2)
    with pytest.raises((redis.RedisError, OSError)):
        await gone.apply([Arrive(ROOM, 1, "<li>Ana</li>")])
    await gone.close()

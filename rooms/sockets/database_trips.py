"""The sockets' synchronous database work, many calls per trip to the database thread.

Each `database_sync_to_async` call is a round trip between the event loop and
the thread the ORM runs in: a wake-up each way, and on a busy core the two
threads then take turns with the GIL. Profiled under load (bench/README.md),
those hand-overs cost more than saving a small message. Here, calls that come
while the thread is busy wait together and go over in one trip, so that the
busier the server, the less each call costs. Every call still runs on its
own, in order of arrival, and its result or its error goes back to its
caller alone.

What those calls publish (rooms/sockets/fanout.py: a new message's broadcast, after
its commit) is held until the trip is back and then sent from the event loop,
before any caller resumes: no wake-up of its own, and with Redis no blocking
call from the thread.

The work goes to a few threads of its own (settings.DATABASE_THREADS; pages
are served on threads of Django's): a write waiting on a lock (up to the 5 s
timeout) holds up its own thread only. A room's calls keep to one thread
while any of them waits, so they run in the order they were made; a room with
nothing waiting goes to the least busy thread, so one stuck room does not
hold up the others. On PostgreSQL that is four threads by default. SQLite has
one writer and keeps to one thread: there a write waiting on the database's
lock holds up the process's other socket work with it (other writes would
wait for the same lock anyway), while pages are still served.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from rooms.sockets.fanout import holding_publications

type Outcome = tuple[bool, Any]  # (True, result) or (False, the exception raised)


class DatabaseTrips:
    """One event loop's calls to one database thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, thread: ThreadPoolExecutor) -> None:
        self.loop = loop
        self.thread = thread
        self.waiting: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self.trip: asyncio.Task[None] | None = None

    @property
    def load(self) -> int:
        """Calls on their way or waiting to go: 0 for an idle thread."""
        return len(self.waiting) + (self.trip is not None)

    async def call[T](self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        future: asyncio.Future[T] = self.loop.create_future()
        self.waiting.append((partial(func, *args, **kwargs), future))
        if self.trip is None:
            # Eager: the first call leaves at once, as with database_sync_to_async
            # (so its place in the database thread's queue is the moment it was made).
            trip = asyncio.eager_task_factory(self.loop, self._travel())
            if not trip.done():
                self.trip = trip
        return await future

    async def _travel(self) -> None:
        calls: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        try:
            while self.waiting:
                calls, self.waiting = self.waiting, []
                async with holding_publications():
                    outcomes = await database_sync_to_async(run_each, thread_sensitive=False, executor=self.thread)(
                        [call for call, _ in calls]
                    )
                for (_, future), (ok, value) in zip(calls, outcomes, strict=True):
                    if future.done():
                        continue  # its caller has gone (the socket closed meanwhile)
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                calls = []
        except BaseException as error:
            # Cancelled (the server is stopping) or worse: nobody may wait forever.
            for _, future in [*calls, *self.waiting]:
                if future.done():
                    continue
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
            self.waiting = []
            raise
        finally:
            self.trip = None


def run_each(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run each call, in order, each on its own: one's error is its caller's, not the others'."""
    outcomes: list[Outcome] = []
    for call in calls:
        try:
            outcomes.append((True, call()))
        except Exception as error:  # handed to its caller, who handles it as before
            outcomes.append((False, error))
            # What database_sync_to_async does after every call: a connection the
            # error broke is replaced before the next call uses it.
            close_old_connections()
    return outcomes


class DatabaseLanes:
    """One event loop's database threads; a room's calls keep to one while any of them waits."""

    def __init__(self, loop: asyncio.AbstractEventLoop, threads: list[ThreadPoolExecutor]) -> None:
        self.loop = loop
        self.lanes = [DatabaseTrips(loop, thread) for thread in threads]
        self.lane_of: dict[Hashable, DatabaseTrips] = {}
        self.calls_of: Counter[Hashable] = Counter()

    async def call[T](self, lane: Hashable | None, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        if lane is None:  # no order to keep: the least busy thread
            return await min(self.lanes, key=lambda trips: trips.load).call(func, *args, **kwargs)
        trips = self.lane_of.get(lane)
        if trips is None:
            trips = self.lane_of[lane] = min(self.lanes, key=lambda trips: trips.load)
        self.calls_of[lane] += 1
        try:
            return await trips.call(func, *args, **kwargs)
        finally:
            self.calls_of[lane] -= 1
            if not self.calls_of[lane]:
                del self.calls_of[lane], self.lane_of[lane]


_every_thread: list[ThreadPoolExecutor] = []


@cache
def database_threads(count: int) -> list[ThreadPoolExecutor]:
    """The threads themselves, for the process's life (each keeps its own database connection)."""
    threads = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"database-{n}") for n in range(count)]
    _every_thread.extend(threads)
    return threads


def close_database_connections() -> None:
    """Close every database thread's connection, in that thread (before its database is dropped: the tests')."""
    for thread in _every_thread:
        thread.submit(connections.close_all).result()


_lanes: DatabaseLanes | None = None


async def in_database_thread[T](func: Callable[..., T], /, *args: Any, lane: Hashable = None, **kwargs: Any) -> T:
    """`await database_sync_to_async(func)(*args, **kwargs)`, sharing a trip with the calls waiting for it.

    Calls with the same `lane` (a room's key) run in the order they were made.
    """
    global _lanes
    loop = asyncio.get_running_loop()
    if _lanes is None or _lanes.loop is not loop:  # tests run a loop each
        _lanes = DatabaseLanes(loop, database_threads(settings.DATABASE_THREADS))
    return await _lanes.call(lane, func, *args, **kwargs)

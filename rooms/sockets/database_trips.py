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
"""

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from channels.db import database_sync_to_async
from django.db import close_old_connections

from rooms.sockets.fanout import holding_publications

type Outcome = tuple[bool, Any]  # (True, result) or (False, the exception raised)


class DatabaseTrips:
    """One event loop's calls to the database thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self.trip: asyncio.Task[None] | None = None

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
                    outcomes = await database_sync_to_async(run_each)([call for call, _ in calls])
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


_trips: DatabaseTrips | None = None


async def in_database_thread[T](func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`await database_sync_to_async(func)(*args, **kwargs)`, sharing the trip with every call waiting."""
    global _trips
    loop = asyncio.get_running_loop()
    if _trips is None or _trips.loop is not loop:  # tests run a loop each
        _trips = DatabaseTrips(loop)
    return await _trips.call(func, *args, **kwargs)

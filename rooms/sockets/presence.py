"""Who is here, for the sockets: counted per process, stored where every process sees it (DESIGN.md §2, §8).

A person is here while they have a socket open in the room, in any process.
Each process counts its own sockets per room and person and tells the store
only of the first opening and the last closing, so tabs come and go unheard.
The store answers when that makes someone come (their first socket in the
room anywhere) or go (their last), with a stamp and the room's count after
it; rooms/people/presence.py renders that once and publishes it.

- Without Redis (one process) the store is this process's memory: it dies
  with the people it knows of, so nothing in it needs to expire.
- With Redis (rooms/sockets/presence_redis.py) a process's entries expire
  unless renewed. Every quarter of PRESENCE_EXPIRY each process renews those
  of its rooms and, in the same call, removes the entries that expired: a
  process killed without saying goodbye stops renewing, and the ones still
  running see its people go within PRESENCE_EXPIRY. A renewal also puts back
  what Redis lost (a restart). While Redis is down sockets work on and
  nobody is seen coming or going; the renewals mend it once Redis is back.

Changes go to the store through one writer per process: in the order they
were asked for (a tab closing and another opening cannot overtake each other),
and all those waiting in one round trip (a crowd opening sockets at once).
What the store answers is published at once when nothing was for a while, and
otherwise at most once every PRESENCE_COALESCE seconds, all of it together:
a crowd coming and going reaches each page as a few frames a second, not as a
frame per person that no page could keep up with (bench/README.md).
"""

import asyncio
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

STORE_ERRORS = (RedisError, OSError)


@dataclass(frozen=True, slots=True)
class Arrive:
    """A person's first socket in a room, in this process; `item` is how the list shows them."""

    room_id: int
    user_id: int
    item: str


@dataclass(frozen=True, slots=True)
class Depart:
    """A person's last socket in a room, in this process, closed."""

    room_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class Beat:
    """This process still holds these people in a room (Redis only)."""

    room_id: int
    user_ids: tuple[int, ...]


Op = Arrive | Depart | Beat


@dataclass(frozen=True, slots=True)
class Change:
    """Someone came (`here`) or went; `stamp` orders the room's changes, `count` is who is here after it."""

    room_id: int
    user_id: int
    here: bool
    stamp: int
    count: int
    item: str  # their list item when they came, else ""


@dataclass(frozen=True, slots=True)
class Outcome:
    changes: list[Change]
    missing: list[int]  # people of a Beat that the store had lost, to be put back


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The room's list as it is at `stamp`: each person's item, in the order they came."""

    stamp: int
    items: list[str]

    @property
    def count(self) -> int:
        return len(self.items)


class Store(Protocol):
    async def apply(self, ops: Sequence[Op]) -> list[Outcome]: ...

    async def snapshot(self, room_id: int) -> Snapshot: ...


class InProcessPresence:
    """The store without Redis: this process's memory, which its pages also read (from their threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rooms: dict[int, dict[int, tuple[int, str]]] = {}  # room -> person -> (stamp of coming, item)
        self.stamps: dict[int, int] = {}

    async def apply(self, ops: Sequence[Op]) -> list[Outcome]:
        return [self.apply_one(op) for op in ops]

    def apply_one(self, op: Op) -> Outcome:
        with self.lock:
            people = self.rooms.setdefault(op.room_id, {})
            if isinstance(op, Arrive) and op.user_id not in people:
                stamp = self._stamp(op.room_id)
                people[op.user_id] = (stamp, op.item)
                return Outcome([Change(op.room_id, op.user_id, True, stamp, len(people), op.item)], [])
            if isinstance(op, Depart) and people.pop(op.user_id, None) is not None:
                stamp = self._stamp(op.room_id)
                if not people:  # forget the room; stamps follow the clock, so the next is still later
                    del self.rooms[op.room_id], self.stamps[op.room_id]
                return Outcome([Change(op.room_id, op.user_id, False, stamp, len(people), "")], [])
            if not people:
                del self.rooms[op.room_id]
            return Outcome([], [])

    def _stamp(self, room_id: int) -> int:
        stamp = max(self.stamps.get(room_id, 0) + 1, time.time_ns() // 1000)
        self.stamps[room_id] = stamp
        return stamp

    async def snapshot(self, room_id: int) -> Snapshot:
        return self.snapshot_now(room_id)

    def snapshot_now(self, room_id: int) -> Snapshot:
        with self.lock:
            people = self.rooms.get(room_id, {})
            return Snapshot(stamp=self.stamps.get(room_id, 0), items=[item for _stamp, item in people.values()])


OnChanges = Callable[[list[Change]], Awaitable[None]]


class ProcessPresence:
    """One event loop's sockets, per room and person, and the one writer of their comings and goings."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, store: Store, on_changes: OnChanges, *, beat: float, coalesce: float
    ) -> None:
        self.loop = loop
        self.store = store
        self.on_changes = on_changes
        self.beat_seconds = beat  # 0: nothing expires (in memory)
        self.coalesce_seconds = coalesce
        self.unpublished: list[Change] = []
        self.publisher: asyncio.Task[None] | None = None
        self.published_at = -coalesce  # the loop's time of the last publication
        self.sockets: dict[int, Counter[int]] = {}  # room -> person -> this process's sockets
        self.items: dict[int, dict[int, str]] = {}  # room -> person -> item, to put back what Redis lost (beat)
        self.waiting: list[tuple[Op, asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None
        self.heart: asyncio.Task[None] | None = None
        self.store_down = False

    async def came(self, room_id: int, user_id: int, item: Callable[[], str]) -> None:
        """A socket of `user_id` opened in the room; on return, the store has them (unless it is down)."""
        people = self.sockets.setdefault(room_id, Counter())
        people[user_id] += 1
        if people[user_id] > 1:
            return
        text = item()
        if self.beat_seconds:  # kept to put them back should Redis lose them; in memory, nothing is lost
            self.items.setdefault(room_id, {})[user_id] = text
            if self.heart is None:
                self.heart = self.loop.create_task(self._beat())
        await self._queue(Arrive(room_id, user_id, text))

    def went(self, room_id: int, user_id: int) -> None:
        """A socket of `user_id` closed in the room (the store is told without waiting)."""
        people = self.sockets.get(room_id)
        if people is None or not people[user_id]:
            return
        people[user_id] -= 1
        if people[user_id]:
            return
        del people[user_id]
        self.items.get(room_id, {}).pop(user_id, None)
        if not people:
            del self.sockets[room_id]
            self.items.pop(room_id, None)
        if not self.sockets and self.heart is not None:
            self.heart.cancel()
            self.heart = None
        self._queue(Depart(room_id, user_id))

    async def here_now(self, room_id: int) -> Snapshot | None:
        """The room's list as it is now; None if the store does not answer."""
        try:
            return await self.store.snapshot(room_id)
        except STORE_ERRORS as error:
            logger.warning("could not read who is in room %s: %r", room_id, error)
            return None

    def _queue(self, op: Op) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self.loop.create_future()
        self.waiting.append((op, future))
        if self.writer is None:
            self.writer = self.loop.create_task(self._write())
        return future

    async def _write(self) -> None:
        batch: list[tuple[Op, asyncio.Future[None]]] = []
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                changes = await self._apply([op for op, _ in batch])
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)
                batch = []
                if changes:
                    self._publish(changes)
        finally:
            for _, future in [*batch, *self.waiting]:
                future.cancel()  # the loop is stopping; nobody may wait for ever
            self.waiting = []
            self.writer = None

    def _publish(self, changes: list[Change]) -> None:
        self.unpublished.extend(changes)
        if self.publisher is None:
            self.publisher = self.loop.create_task(self._publish_in_turn())

    async def _publish_in_turn(self) -> None:
        try:
            while self.unpublished:
                wait = self.published_at + self.coalesce_seconds - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)  # what comes meanwhile goes with these
                changes, self.unpublished = self.unpublished, []
                self.published_at = self.loop.time()
                try:
                    await self.on_changes(changes)
                except Exception:  # a bug: said loudly, and the publisher goes on
                    logger.exception("could not publish %d presence changes", len(changes))
        finally:
            self.publisher = None

    async def _apply(self, ops: list[Op]) -> list[Change]:
        try:
            outcomes = await self.store.apply(ops)
        except STORE_ERRORS as error:
            if not self.store_down:
                logger.warning("presence store unavailable (%r); who is here is not updated meanwhile", error)
            self.store_down = True
            return []
        if self.store_down:
            logger.info("presence store back")
            self.store_down = False
        changes: list[Change] = []
        for op, outcome in zip(ops, outcomes, strict=True):
            changes.extend(outcome.changes)
            for user_id in outcome.missing:  # lost by Redis: back, as if they came now
                item = self.items.get(op.room_id, {}).get(user_id)
                if item is not None:
                    self._queue(Arrive(op.room_id, user_id, item))
        return changes

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.beat_seconds)
            for room_id, people in self.sockets.items():
                self._queue(Beat(room_id, tuple(people)))


_presence: ProcessPresence | None = None


def process_presence(on_changes: OnChanges) -> ProcessPresence:
    """This process's presence: one per event loop (tests run a loop each), with what to do with its changes."""
    global _presence
    loop = asyncio.get_running_loop()
    if _presence is None or _presence.loop is not loop:
        coalesce = settings.PRESENCE_COALESCE
        if settings.REDIS_URL:
            from rooms.sockets.presence_redis import RedisPresence

            expiry = settings.PRESENCE_EXPIRY
            # Renewed every quarter of the expiry, each entry lasts three quarters: one renewal may be
            # late without its people flickering out, and a dead process's people are noticed gone (by
            # the next renewal of a process still running) within the expiry.
            store: Store = RedisPresence(
                settings.REDIS_URL, process=uuid.uuid4().hex[:12], ttl=expiry * 0.75, keep=expiry * 2
            )
            _presence = ProcessPresence(loop, store, on_changes, beat=expiry / 4, coalesce=coalesce)
        else:
            _presence = ProcessPresence(loop, InProcessPresence(), on_changes, beat=0, coalesce=coalesce)
    return _presence


def present_now(room_id: int) -> Snapshot:
    """Who is in the room now, for a page being rendered (synchronous; an empty list if the store is down)."""
    try:
        if settings.REDIS_URL:
            from rooms.sockets.presence_redis import snapshot_now

            return snapshot_now(settings.REDIS_URL, room_id)
        presence = _presence
        if presence is not None and isinstance(presence.store, InProcessPresence):
            return presence.store.snapshot_now(room_id)
    except STORE_ERRORS as error:
        logger.warning("could not read who is in room %s: %r", room_id, error)
    return Snapshot(stamp=0, items=[])

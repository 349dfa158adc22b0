"""Fan-out per process: one channel-layer subscription per room per process, not one per socket.

Channels' usual way gives every socket a channel of its own and puts it in
its room's group, so a broadcast to a room of N people is N channel-layer
messages: N queue wake-ups, N dispatches (each, since Channels 4.2, with a
thread hop to close database connections), and in the in-memory layer N deep
copies and N scans of every channel. Profiled, that machinery was most of
the server's time (bench/README.md).

Here each process has one channel. It joins the group of each room where it
has at least one socket, and one group that every process joins, for events
about people rather than rooms (cutoff.py). A broadcast is then one layer
message per process, which this module hands, as it is, to each of the
process's sockets in that room: the way Phoenix PubSub and AnyCable work.
A socket is subscribed before it reads what its page missed (DESIGN.md §2).

Redis outages: the process keeps serving; once the layer answers again it
rejoins its groups and tells every socket, which then reads what it missed
from the database. channels-redis forgets group members after a day
(group_expiry), so the groups are renewed well within that.
"""

import asyncio
import contextlib
import contextvars
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from redis.exceptions import RedisError

from rooms.events import (
    EVERY_PROCESS,
    Event,
    MessageChanged,
    PresenceChanged,
    UnknownEvent,
    as_layer_message,
    from_layer_message,
)
from rooms.sockets.batches import one_batch
from rooms.sockets.change_order import ChangeOrder
from rooms.sockets.presence_order import PresenceOrder

logger = logging.getLogger(__name__)

# What a channel layer raises when its Redis is gone; the in-memory layer never does.
LAYER_ERRORS = (RedisError, OSError)
LAYER_RETRY_MAX_SECONDS = 30
GROUP_RENEWAL_SECONDS = 6 * 60 * 60  # well within channels-redis's default group_expiry of a day


@dataclass(frozen=True, slots=True)
class LayerRecovered:
    """The channel layer answers again after an outage: broadcasts may have been lost, so read them back."""

    group: ClassVar[str] = EVERY_PROCESS


class Subscriber(Protocol):
    def deliver(self, event: Event | LayerRecovered) -> None:
        """Take one event; called in the event loop, so it must not block (nor wait for the page)."""


# Set by holding_publications: where publish() leaves events for the event loop to send.
_held: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar("held_publications", default=None)


def publish(event: Event) -> None:
    """Send an event to every process subscribed to its group (from synchronous code).

    With the in-memory layer there is one process, and this module is all the
    fan-out there is: the event goes straight to the event loop's fan-out,
    without waiting for it, a deep copy, or a scan of the layer's channels.
    Inside holding_publications, it is sent when that ends instead.
    """
    held = _held.get()
    if held is not None:
        held.append(event)
        return
    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.group_send)(event.group, as_layer_message(event))
        return
    fanout = _fanout
    if fanout is not None and fanout.layer is layer and not fanout.loop.is_closed():
        # In a context of its own: the caller's (a thread working for asgiref) must not leak into the sockets.
        fanout.loop.call_soon_threadsafe(fanout.hand_out, event, context=contextvars.Context())
    # else no socket has opened in this process: nobody to tell


@contextlib.asynccontextmanager
async def holding_publications() -> AsyncIterator[None]:
    """Hold what synchronous code run inside (in a worker thread, for this task) publishes; send it at the end.

    The worker thread sees the holding list through its copy of this task's
    context (asgiref copies it). Sent from here, an event costs no wake-up of
    the event loop and, with Redis, no blocking call from the thread.
    """
    held: list[Event] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        if held:
            await process_fanout().send(held)


class ProcessFanout:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.layer = get_channel_layer()
        self.groups: dict[str, set[Subscriber]] = {}  # this process's sockets, by the group they listen to
        self.joined: set[str] = set()  # the groups the layer has this process's channel in
        self.channel_name = ""
        # Joining and leaving take turns: a socket subscribed while its room's
        # group is being joined must not read its catch-up before the join is done.
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task[None]] = []  # reading and renewing, while there are sockets
        self.layer_down = False
        # One process, no layer to go through: publish() calls hand_out directly.
        self.local_only = isinstance(self.layer, InMemoryChannelLayer)
        self.order = ChangeOrder(loop, self.hand_to_subscribers)
        self.presence_order = PresenceOrder()

    async def subscribe(self, group: str, subscriber: Subscriber, *, changes_after: int | None = None) -> None:
        """From now on, events to `group` reach `subscriber`; on return, the layer has this process in it.

        `changes_after`, for a room, is its newest change as the subscriber read it: the process hands on
        the room's changes in order from the next one (unless it has sockets there already, and knows).
        """
        if changes_after is not None and group not in self.groups:
            self.order.expect(group, changes_after + 1)
        self.groups.setdefault(group, set()).add(subscriber)
        if self.local_only:
            return
        async with self.lock:
            if not self.tasks:
                self.channel_name = await self.layer.new_channel()
                self.tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._renew())]
                await self._join(EVERY_PROCESS)
            if group in self.groups and group not in self.joined:
                await self._join(group)

    async def unsubscribe(self, group: str, subscriber: Subscriber) -> None:
        subscribers = self.groups.get(group)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if subscribers:
            return
        del self.groups[group]
        self.order.forget(group)
        self.presence_order.forget(group)
        if self.local_only:
            return
        async with self.lock:
            if group in self.groups:
                return  # someone subscribed again meanwhile
            await self._leave(group)
            if not self.groups:  # no sockets left: stop listening altogether
                await self._leave(EVERY_PROCESS)
                for task in self.tasks:
                    task.cancel()
                self.tasks = []

    async def send(self, events: list[Event]) -> None:
        """publish(), from the event loop: best effort, as there (what was published is already saved).

        This process's sockets get each event at once; with Redis, the copy that
        comes back through the layer later is dropped by them (they skip any
        message they have: sequence numbers), and the sender's own message needs
        no reading back from the database when their reply overtakes it.
        """
        with one_batch():  # a socket sent several of them writes them at once
            for event in events:
                self.hand_out(event)
        if self.local_only:
            return
        for event in events:
            try:
                await self.layer.group_send(event.group, as_layer_message(event))
            except Exception as error:  # as publishing a change: the sender's reply must still go
                # One line, no traceback: while Redis is down every message ends here.
                logger.warning("could not send a %r event to %s: %r", event.kind, event.group, error)

    async def broadcast(self, event: Event) -> None:
        """Publish from the event loop, through the layer alone: every process, this one too, hands it out once.

        For what the sockets cannot tell from a copy of it (typing, presence), where
        send()'s early local hand-out would reach this process's sockets twice.
        Best effort: a lost one is made good by the next (or by the list whole on reconnecting).
        """
        if self.local_only:
            self.hand_out(event)
            return
        try:
            await self.layer.group_send(event.group, as_layer_message(event))
        except Exception as error:
            logger.warning("could not send a %r event to %s: %r", event.kind, event.group, error)

    def hand_out(self, event: Event | LayerRecovered) -> None:
        """Give one event, unchanged, to each socket of this process that listens to its group; a room's
        changes in their order (rooms/sockets/change_order.py). A presence change is asked once here
        whether it is news (presence_order.py); in one process, with one writer, all are in order."""
        if type(event) is MessageChanged:
            if event.group in self.groups:
                self.order.arrived(event)
            return
        if type(event) is PresenceChanged and not self.local_only:
            admitted = self.presence_order.admit(event)
            if admitted is None:
                return
            event = admitted
        self.hand_to_subscribers(event)

    def hand_to_subscribers(self, event: Event | LayerRecovered) -> None:
        group = event.group
        if group == EVERY_PROCESS:
            recipients = [subscriber for subscribers in self.groups.values() for subscriber in subscribers]
        else:
            # A copy: a socket may leave while it takes the event.
            recipients = list(self.groups.get(group, ()))
        for subscriber in recipients:
            subscriber.deliver(event)

    async def _join(self, group: str) -> None:
        try:
            await self.layer.group_add(group, self.channel_name)
        except LAYER_ERRORS as error:
            self._note_down(error)  # _read joins it once the layer answers
        else:
            self.joined.add(group)

    async def _leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.discard(group)
            with contextlib.suppress(*LAYER_ERRORS):  # it expires on its own
                await self.layer.group_discard(group, self.channel_name)

    def _note_down(self, error: Exception) -> None:
        if not self.layer_down:
            logger.warning("channel layer unavailable (%r); sockets kept open", error)
        self.layer_down = True

    async def _rejoin(self) -> None:
        """Put this process back in all its groups; after an outage, tell every socket to catch up."""
        async with self.lock:
            for group in [EVERY_PROCESS, *self.groups]:
                await self.layer.group_add(group, self.channel_name)
                self.joined.add(group)
            recovered, self.layer_down = self.layer_down, False
        if recovered:
            logger.info("channel layer back; rejoined %d groups", len(self.joined))
            self.hand_out(LayerRecovered())

    async def _read(self) -> None:
        failures = 0
        while True:
            try:
                if self.layer_down:
                    await self._rejoin()
                event = await self.layer.receive(self.channel_name)
            except LAYER_ERRORS as error:
                self._note_down(error)
                failures += 1
                await asyncio.sleep(min(LAYER_RETRY_MAX_SECONDS, 2**failures) * random.uniform(0.5, 1))  # noqa: S311
                continue
            failures = 0
            self._retrieve_cleaner_errors()
            try:
                typed = from_layer_message(event)
            except UnknownEvent:
                # From a process running other code (mid-deploy), or a bug: said loudly, and the others go on.
                logger.exception("dropped a channel-layer message this process cannot read")
                continue
            self.hand_out(typed)

    def _retrieve_cleaner_errors(self) -> None:
        """channels-redis cleans each received message from a backup queue in a task nobody awaits.

        If Redis goes away just then, that task's error is logged as "never
        retrieved", with a traceback, at the next garbage collection. It loses
        nothing that matters (at worst the message comes again, and sockets drop
        repeats by sequence number), so it is retrieved here, quietly.
        """
        for cleaner in getattr(self.layer, "receive_cleaners", ()):
            cleaner.add_done_callback(_retrieve_quietly)

    async def _renew(self) -> None:
        """Renew the groups now and then, and retry joining while the layer is down (even when nothing arrives)."""
        since_renewal = 0
        while True:
            await asyncio.sleep(LAYER_RETRY_MAX_SECONDS)
            since_renewal += LAYER_RETRY_MAX_SECONDS
            if self.layer_down or since_renewal >= GROUP_RENEWAL_SECONDS:
                with contextlib.suppress(*LAYER_ERRORS):
                    await self._rejoin()
                    since_renewal = 0


def _retrieve_quietly(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


_fanout: ProcessFanout | None = None


def process_fanout() -> ProcessFanout:
    """This process's fan-out: one per event loop and channel layer (tests run a loop each)."""
    global _fanout
    loop = asyncio.get_running_loop()
    if _fanout is None or _fanout.loop is not loop or _fanout.layer is not get_channel_layer():
        _fanout = ProcessFanout(loop)
    return _fanout

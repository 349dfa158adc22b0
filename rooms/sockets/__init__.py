"""The socket machinery, fenced (DESIGN.md §9): the entry in front of the consumer (entry, routing), the
room consumer (consumer), one channel-layer subscription per room per process (fanout), a batch of hand-outs
written once per socket (batches), who is here (presence, its Redis store presence_redis, and the order its
changes are handed out in, presence_order), trips to the database thread (database_trips), and what the socket
tells pages (close_codes, languages).

It replaces stock Channels parts for speed and memory. Domain code (rooms/messages, rooms/people) calls it
only through what is named here: to publish, and to count who is here; nothing outside this package
reaches into its internals.
"""

from rooms.events import Event
from rooms.sockets.fanout import process_fanout, publish
from rooms.sockets.presence import Change, Snapshot, present_now, process_presence


async def broadcast(event: Event) -> None:
    """Publish from the event loop (a socket's own doing: presence, typing), once to every page of its group."""
    await process_fanout().broadcast(event)


__all__ = ["Change", "Snapshot", "broadcast", "present_now", "process_presence", "publish"]

"""The socket machinery, fenced (DESIGN.md §9): the entry in front of the consumer (entry, routing), the
room consumer (consumer), one channel-layer subscription per room per process (fanout), trips to the
database thread (database_trips), and what the socket tells pages (close_codes, languages).

It replaces stock Channels parts for speed and memory. Domain code (rooms/messages, rooms/people) calls it
only to publish; nothing outside this package reaches into its internals.
"""

from rooms.sockets.fanout import publish

__all__ = ["publish"]

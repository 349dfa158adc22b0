"""Each room's changes handed to this process's sockets in number order (DESIGN.md §2, §3).

Changes of one room are numbered in commit order, but their broadcasts can reach a process out of
order: an edit saved by an HTTP view is published at once, while a message saved on a socket's
database trip is held until the trip is back (rooms/sockets/database_trips.py); with Redis, another
process's broadcast can overtake this one's. A socket that sees a number skip reads the gap from the
database, right, but then every page in the room does it at once: a query and a render per recipient,
which is what broadcasting was to avoid (bench/README.md, "edits").

So the process puts them back in order first: a change that comes early waits here, briefly, for the
ones before it. If one does not come (its broadcast was lost), the rest go on after GAP_WAIT_SECONDS and
the pages read what is missing, as before. A copy of a change already handed on (Redis echoes this
process's own) is dropped here, once, rather than by each socket.
"""

import asyncio
from collections.abc import Callable

from rooms.events import MessageChanged

GAP_WAIT_SECONDS = 0.2


class ChangeOrder:
    def __init__(self, loop: asyncio.AbstractEventLoop, hand_on: Callable[[MessageChanged], None]) -> None:
        self.loop = loop
        self.hand_on = hand_on
        self.next: dict[str, int] = {}  # room's group -> the number of the next change to hand on
        self.early: dict[str, dict[int, MessageChanged]] = {}  # room's group -> changes waiting for those before
        self.timers: dict[str, asyncio.TimerHandle] = {}

    def arrived(self, event: MessageChanged) -> None:
        room = event.group
        expected = self.next.get(room)
        if expected is None or event.change == expected:
            self._hand_on(event)
            if room in self.early:
                self._hand_on_what_follows(room)
        elif event.change > expected:
            self.early.setdefault(room, {})[event.change] = event
            if room not in self.timers:
                self.timers[room] = self.loop.call_later(GAP_WAIT_SECONDS, self._stop_waiting, room)
        # else: handed on already

    def expect(self, group: str, change: int) -> None:
        """The next of this room's changes is `change`, unless this process knows better already."""
        self.next.setdefault(group, change)

    def forget(self, group: str) -> None:
        """This process no longer has sockets in the room: what it knew of its order is of no use."""
        self.next.pop(group, None)
        self.early.pop(group, None)
        if (timer := self.timers.pop(group, None)) is not None:
            timer.cancel()

    def _hand_on(self, event: MessageChanged) -> None:
        self.next[event.group] = event.change + 1
        self.hand_on(event)

    def _hand_on_what_follows(self, room: str) -> None:
        early = self.early[room]
        while (event := early.pop(self.next[room], None)) is not None:
            self._hand_on(event)
        if not early:
            del self.early[room]
            if (timer := self.timers.pop(room, None)) is not None:
                timer.cancel()

    def _stop_waiting(self, room: str) -> None:
        """What was waited for is not coming: hand on the rest, in order; each page reads the gap itself."""
        self.timers.pop(room, None)
        for _change, event in sorted(self.early.pop(room, {}).items()):
            self._hand_on(event)

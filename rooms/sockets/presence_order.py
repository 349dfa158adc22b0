"""Which presence changes a process hands its sockets: each once, and none overtaken by a newer one.

Presence is not numbered among a room's changes (DESIGN.md §2), but two
processes can publish changes of one room at nearly the same moment, and
Redis may then deliver them in the other order: a tab closing on one server
and the same person's next tab opening on another (a reload behind a load
balancer) must not leave them out of the list. Every change carries the
stamp the store gave it (rooms/sockets/presence.py), and the fan-out asks
here, once per change and process, before handing it out:

- a change older than one already handed out for the same person (or the
  same one again) is dropped;
- a change older than one already handed out for the room still applies to
  its person, without its count, which is out of date.

An event holds a few people's changes (rooms/events.py): each is asked alone,
and the event is handed out with those that pass.

A page that opens is sent the whole list at some stamp instead, and drops
every change up to that stamp itself (RoomConsumer.presence_stamp).
"""

from rooms.events import PresenceChanged


class RoomOrder:
    __slots__ = ("latest", "stamp")

    def __init__(self) -> None:
        self.stamp = 0  # the newest change handed out in the room
        self.latest: dict[int, int] = {}  # per person, the stamp of their newest change handed out


class PresenceOrder:
    def __init__(self) -> None:
        self.rooms: dict[str, RoomOrder] = {}

    def admit(self, event: PresenceChanged) -> PresenceChanged | None:
        """The change as this process's sockets should get it, or None if they should not."""
        room = self.rooms.get(event.group)
        if room is None:
            room = self.rooms[event.group] = RoomOrder()
        people = []
        for person in event.people:
            if person.stamp > room.latest.get(person.user_id, 0):
                room.latest[person.user_id] = person.stamp
                people.append(person)
        if not people:
            return None
        with_count = event.stamp >= room.stamp
        room.stamp = max(room.stamp, event.stamp)
        if with_count and len(people) == len(event.people):
            return event
        return event.narrowed(people, with_count=with_count)

    def forget(self, group: str) -> None:
        """The process has no socket in the room any more (one that opens is sent the list whole)."""
        self.rooms.pop(group, None)

"""What the domain tells open pages, as typed events (DESIGN.md §9).

Domain code (rooms/messages, rooms/people) builds one of these and hands it to
`rooms.sockets.publish`; the socket machinery delivers it to every process
with a page that should hear it, and each page's consumer acts on its type.
Crossing processes (Redis), an event travels as a plain dict (`as_layer_message`)
and comes back as the same type (`from_layer_message`); a type nobody knows
fails loudly rather than being dropped in silence.
"""

import enum
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, ClassVar

# Every process with sockets listens to this group: events about people rather than rooms go here.
EVERY_PROCESS = "every-process"


def room_group(room_id: int) -> str:
    """The channel-layer group of a room: from its key, never from its name or slug (DESIGN.md §4)."""
    return f"room-{room_id}"


@dataclass(frozen=True, slots=True)
class MessageChanged:
    """A message was posted, edited or deleted (change number `change` of its room).

    `html` is its current state, rendered once per language for every page
    (DESIGN.md §3), keyed by language code: appended to the log when it is
    new, replacing its element by id otherwise.
    """

    kind: ClassVar[str] = "message.changed"
    room_id: int
    change: int
    html: dict[str, str]

    @property
    def group(self) -> str:
        return room_group(self.room_id)


class CutOffReason(enum.StrEnum):
    SIGNED_OUT = "signed-out"  # the browser session that opened the socket signed out
    DEACTIVATED = "deactivated"  # the account was deactivated
    LEFT_ROOM = "left-room"  # the person left the room, or was removed from it


def news_group(room_id: int) -> str:
    """Where a room's news goes: to its members' pages elsewhere in the chat (rooms/sockets/news.py)."""
    return f"news-{room_id}"


def person_group(user_id: int) -> str:
    """Where what concerns one person alone goes: to every page of theirs."""
    return f"person-{user_id}"


@dataclass(frozen=True, slots=True)
class RoomNews:
    """A new message in a room, for its members' pages that show something else (their sidebar's counts,
    a notice when it mentions them).

    `html` is a data item naming the room, the message, its author and whom it mentions, with no words
    of ours: the same for every reader, rendered once (rooms/people/news.py); each page counts it as its
    reader chose for the room (static/js/news.js).
    """

    kind: ClassVar[str] = "room.news"
    room_id: int
    html: str

    @property
    def group(self) -> str:
        return news_group(self.room_id)


@dataclass(frozen=True, slots=True)
class UnreadChanged:
    """What `user_id` has not read in a room went down (they read it, in some page): `html`, by language,
    is the room's count as their other pages show it, which replaces it there."""

    kind: ClassVar[str] = "unread.changed"
    user_id: int
    room_id: int
    html: dict[str, str]

    @property
    def group(self) -> str:
        return person_group(self.user_id)


@dataclass(frozen=True, slots=True)
class RoomJoined:
    """`user_id` became a member of a room (joined it, was added, or was written to first): their pages hear
    its news from now on, and `html`, by language, is its entry in their lists of rooms."""

    kind: ClassVar[str] = "room.joined"
    user_id: int
    room_id: int
    html: dict[str, str]

    @property
    def group(self) -> str:
        return person_group(self.user_id)


@dataclass(frozen=True, slots=True)
class CutOff:
    """Close the sockets of `user_id`: all of them, those of one browser session, or those in one room."""

    kind: ClassVar[str] = "cutoff"
    user_id: int
    reason: CutOffReason
    session: str | None = None  # rooms.people.cutoff.session_tag of the session, for SIGNED_OUT
    room_id: int | None = None  # for LEFT_ROOM

    group: ClassVar[str] = EVERY_PROCESS


@dataclass(frozen=True, slots=True)
class PersonCameOrWent:
    """Someone came into a room (their first socket there, in any process) or left it (their last, or expired).

    `stamp` orders the room's presence changes, so that a late copy can be told
    from a newer one (rooms/sockets/presence_order.py); `html` is their item
    appended to the list, or removed from it by id: the same in every language.
    """

    user_id: int
    here: bool
    stamp: int
    html: str


@dataclass(frozen=True)  # not slots: `frames` is worked out once per event, for all its pages
class PresenceChanged:
    """People came into a room or left it: those of one process's changes of the room in a short while
    (settings.PRESENCE_COALESCE), in the order of their stamps, so that a crowd coming and going is a few
    frames a second per page, not one per person (bench/README.md, "presence churn").

    Ephemeral (DESIGN.md §2): not numbered among the room's changes, never
    caught up; a page that (re)connects is sent the list whole instead.
    `count` is the room's count after the last of them ("4 people here"), by
    language, rendered once (rooms/people/presence.py); empty when a newer
    count has been handed out already.
    """

    kind: ClassVar[str] = "presence.changed"
    room_id: int
    people: tuple[PersonCameOrWent, ...]
    count: dict[str, str]

    @property
    def group(self) -> str:
        return room_group(self.room_id)

    @property
    def stamp(self) -> int:
        """The stamp of the newest change in it, which its count is true at."""
        return self.people[-1].stamp

    @cached_property
    def persons(self) -> str:
        return "".join(person.html for person in self.people)

    @cached_property
    def frames(self) -> dict[str, str]:
        """The frame for a page in each language: every person's fragment, then the count."""
        return {language: self.persons + count for language, count in self.count.items()}

    def frame(self, language: str) -> str:
        return self.frames.get(language) or self.persons

    def narrowed(self, people: Sequence[PersonCameOrWent], *, with_count: bool) -> "PresenceChanged":
        """Some of its people only, with its count or without it: made of the fragments already rendered."""
        return PresenceChanged(self.room_id, tuple(people), self.count if with_count else {})

    def after(self, stamp: int) -> "PresenceChanged | None":
        """What of it a page sent the list whole at `stamp` has not seen (the count is newer than the list)."""
        if self.people[0].stamp > stamp:
            return self
        people = [person for person in self.people if person.stamp > stamp]
        return self.narrowed(people, with_count=True) if people else None


@dataclass(frozen=True, slots=True)
class Typing:
    """`user_id` is typing in a room: shown by the other pages for a few seconds (rooms/people/typing.py).

    Not numbered, not stored. `html` names the typist as messages do; it holds
    no words of ours, so one rendering serves every language.
    """

    kind: ClassVar[str] = "typing"
    room_id: int
    user_id: int
    html: str

    @property
    def group(self) -> str:
        return room_group(self.room_id)


Event = MessageChanged | CutOff | PresenceChanged | Typing | RoomNews | UnreadChanged | RoomJoined

EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls for cls in (MessageChanged, CutOff, PresenceChanged, Typing, RoomNews, UnreadChanged, RoomJoined)
}


class UnknownEvent(ValueError):
    """A channel-layer message of a type this code does not know (a newer process, or a bug)."""


def as_layer_message(event: Event) -> dict[str, Any]:
    """The event as the channel layer carries it: a dict with a "type" (channels requires one)."""
    fields = asdict(event)
    if isinstance(event, CutOff):
        fields["reason"] = event.reason.value  # msgpack (channels-redis) carries plain strings
    return {"type": event.kind, **fields}


def from_layer_message(message: dict[str, Any]) -> Event:
    fields = dict(message)
    kind = fields.pop("type", None)
    fields.pop("group", None)
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise UnknownEvent(f"no event type {kind!r}")
    try:
        if cls is CutOff:
            fields["reason"] = CutOffReason(fields["reason"])
        elif cls is PresenceChanged:  # its people come as dicts (msgpack carries no types)
            fields["people"] = tuple(PersonCameOrWent(**person) for person in fields["people"])
            if not fields["people"]:
                raise ValueError("nobody came or went")
        return cls(**fields)
    except (TypeError, KeyError, ValueError) as error:
        raise UnknownEvent(f"a {kind!r} event that does not fit its type: {error}") from error

"""What changed while a page was away, for the room socket (DESIGN.md §2). Synchronous: the consumer wraps it."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from rooms.messages.history import PAGE_SIZE, changed_after
from rooms.models import Message, Room


@dataclass(frozen=True)
class Missed:
    html: str  # one frame: the changes, or a link to the missed messages when there are too many
    cursor: int  # the newest change the page has now been sent


def render_missed(room: Room, *, after: int, until: int | None = None, quiet: bool, language: str) -> Missed | None:
    """The current state of every message changed after change `after` (up to `until`); None if nothing changed.

    Messages new to the page (numbered after its cursor) are appended in
    their place order; the others replace their element by id, in the order
    they changed; a deleted one becomes its marker. `quiet` ones are inserted
    without being announced: catch-up after a (re)connect is history, not
    news. More than a page is not sent as a wall of text: the page gets a link
    that opens the room at the first message it missed.
    """
    changed = changed_after(room, after, until=until, limit=PAGE_SIZE + 1)
    if not changed:
        return None
    with translation.override(language):  # our words in messages and in the link, in the reader's language
        if len(changed) <= PAGE_SIZE:
            cursor = changed[-1].last_change if until is None else until
            context = {
                "room": room,
                "replaced": [message for message in changed if message.seq <= after],
                "appended": sorted((message for message in changed if message.seq > after), key=lambda m: m.seq),
                "quiet": quiet,
                "cursor": cursor,
            }
            return Missed(html=render_to_string("rooms/room.html#missed-changes", context).strip(), cursor=cursor)
        room.refresh_from_db(fields=["last_seq"])
        cursor = room.last_seq if until is None else until
        context = {
            "room": room,
            "count": Message.objects.filter(room=room, seq__gt=after, seq__lte=cursor).count(),
            "after": after,
            "cursor": cursor,
        }
        return Missed(html=render_to_string("rooms/room.html#missed-too-many", context).strip(), cursor=cursor)

"""Reading what a page missed, for the room socket (DESIGN.md §2). Synchronous: the consumer wraps these."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from rooms.messages.history import PAGE_SIZE, messages_after
from rooms.models import Room


@dataclass(frozen=True)
class Missed:
    html: str  # one frame: the missed messages, or a link to them when there are too many
    last_seq: int


def render_missed(room: Room, *, after: int, until: int | None = None, quiet: bool, language: str) -> Missed | None:
    """The messages after `after` (up to `until`), or None when nothing was missed.

    `quiet` ones are inserted without being announced: catch-up after a
    (re)connect is history, not news. More than a page is not sent as a wall
    of text: the page gets a link that loads the newest messages instead.
    """
    messages = messages_after(room, after, until=until, limit=PAGE_SIZE + 1)
    if not messages:
        return None
    if len(messages) <= PAGE_SIZE:
        html = render_to_string("rooms/room.html#missed-messages", {"messages": messages, "quiet": quiet})
        return Missed(html=html.strip(), last_seq=messages[-1].seq)
    room.refresh_from_db(fields=["last_seq"])
    last_seq = room.last_seq if until is None else until
    with translation.override(language):  # the link's words, in the reader's language
        html = render_to_string("rooms/room.html#missed-too-many", {"room": room, "count": last_seq - after})
    return Missed(html=html.strip(), last_seq=last_seq)

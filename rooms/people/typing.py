"""Who is typing: a page says so over its room socket while its person types, and the others show it.

Ephemeral (DESIGN.md §2): not stored, not numbered, not caught up. The page
sends `{"typing": true}` at most every 3 seconds while its message box is
being typed in (static/js/typing.js). The socket relays at most one per
TYPING_INTERVAL seconds (a faster one is ignored: a busy script, not worth a
close) to every other page in the room; the typist's own pages never get it.
Each page then names the typist under its composer ("Ana is typing…") until
a few seconds after the last one, or until the typist's message arrives.
"""

from typing import Any

from django.template.loader import render_to_string

from rooms.events import Typing
from rooms.models import Room, User

# Seconds between two typing frames a socket relays: a little under the page's 3 s, for timers' jitter.
TYPING_INTERVAL = 2.5


def is_typing_frame(frame: dict[str, Any] | None) -> bool:
    """Whether the page meant this frame as a typing frame (rooms/messages/composing.py tells the two apart)."""
    return frame is not None and "typing" in frame


def is_well_formed(frame: dict[str, Any]) -> bool:
    """A typing frame says that and nothing else: anything more is a page (or a script) that is not ours."""
    return frame == {"typing": True}


def typing_event(room: Room, user: User) -> Typing:
    """The typist named as messages name them; no words of ours, so one rendering serves every language."""
    html = render_to_string("rooms/presence.html#typist", {"person": user}).strip()
    return Typing(room_id=room.pk, user_id=user.pk, html=html)

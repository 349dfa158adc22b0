"""Closing the sockets of someone who may no longer be there (DESIGN.md §5).

These send an event to every process (rooms/sockets/fanout.py), and each of their
sockets decides from it whether it is one to close. Per-frame checks already
refuse such a person's messages; this makes them stop receiving too. Events
are rare (a sign-out, a leave), so one to every process costs little, and no
socket needs a channel of its own to hear them.
"""

import hashlib

from rooms.events import CutOff, CutOffReason
from rooms.models import User
from rooms.sockets import publish


def session_tag(session_key: str | None) -> str:
    """Names a session without carrying its key (keys are secrets; events may be logged or stored in Redis)."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()[:16]


def cut_off_session(user: User, session_key: str | None) -> None:
    """The user signed out in one browser: close the sockets that browser's session opened."""
    publish(CutOff(user_id=user.pk, reason=CutOffReason.SIGNED_OUT, session=session_tag(session_key)))


def cut_off_user(user: User) -> None:
    """The user was deactivated: close all their sockets."""
    publish(CutOff(user_id=user.pk, reason=CutOffReason.DEACTIVATED))


def cut_off_from_room(user_id: int, room_id: int) -> None:
    """The user is no longer a member of a room (left, removed, or the room deleted): close their sockets in it.

    By ids: a room deleted with its hundred members costs a hundred events, not two hundred queries more.
    """
    publish(CutOff(user_id=user_id, reason=CutOffReason.LEFT_ROOM, room_id=room_id))

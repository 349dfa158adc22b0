"""Closing the sockets of someone who may no longer be there (DESIGN.md §5).

Every room socket also listens on its user's group; these send that group an
event, and each socket decides from it whether it is one to close. Per-frame
checks already refuse their messages; this makes them stop receiving too.
"""

import hashlib
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from rooms.models import Room, User

CUTOFF_EVENT = "cutoff"  # handled by RoomConsumer.cutoff


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def session_tag(session_key: str | None) -> str:
    """Names a session without carrying its key (keys are secrets; events may be logged or stored in Redis)."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()[:16]


def _cut_off(user: User, **which: Any) -> None:
    async_to_sync(get_channel_layer().group_send)(user_group(user.pk), {"type": CUTOFF_EVENT, **which})


def cut_off_session(user: User, session_key: str | None) -> None:
    """The user signed out in one browser: close the sockets that browser's session opened."""
    _cut_off(user, session=session_tag(session_key))


def cut_off_user(user: User) -> None:
    """The user was deactivated: close all their sockets."""
    _cut_off(user)


def cut_off_from_room(user: User, room: Room) -> None:
    """The user left a room: close their sockets in it."""
    _cut_off(user, room=room.pk)

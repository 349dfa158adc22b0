"""Render a saved message once and fan the same HTML out to its room (DESIGN.md §2, §3)."""

import logging

from django.template.loader import render_to_string

from rooms.models import Message
from rooms.sockets.fanout import publish

logger = logging.getLogger(__name__)

# What RoomConsumer forwards, untouched and in order, to each page in the room.
ROOM_MESSAGE_EVENT = "room.message"


def broadcast_message(message: Message) -> None:
    """Best effort: the message is already saved, so a failed send loses nothing for good."""
    html = render_to_string("rooms/room.html#message-broadcast", {"message": message}).strip()
    try:
        publish(message.room.group_name, {"type": ROOM_MESSAGE_EVENT, "html": html, "seq": message.seq})
    except Exception as error:
        # One line, no traceback: while Redis is down every message ends here.
        logger.warning("could not broadcast message %s to room %s: %r", message.pk, message.room_id, error)

"""Render a committed change once and publish the same HTML to its room (DESIGN.md §2, §3)."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from rooms.events import MessageChanged
from rooms.models import Message
from rooms.sockets import publish

logger = logging.getLogger(__name__)


def render_change(message: Message, change: int) -> dict[str, str]:
    """The frame for every page in the room, by language: the message appended if `change` made it, else
    replacing its element by id; with the room's cursor, this change's number, which the page sends back
    when it reconnects.

    A message holds a few words of ours ("Edit", "(edited)", "This message was deleted"), so it is
    rendered once per language the chat speaks (settings.LANGUAGES, two today) rather than once: still
    a fixed number of renders per change, however many pages are open, and each page gets the one in
    its own language.
    """
    partial = "message-appended" if change == message.seq else "message-replaced"
    context = {"message": message, "room": message.room, "cursor": change}
    frames = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            frames[language] = render_to_string(f"rooms/room.html#{partial}", context).strip()
    return frames


def publish_change(message: Message, change: int) -> None:
    """Best effort: the change is already saved, so a failed send loses nothing for good (pages catch up)."""
    html = render_change(message, change)
    try:
        publish(MessageChanged(room_id=message.room_id, change=change, html=html))
    except Exception as error:
        # One line, no traceback: while Redis is down every change ends here.
        logger.warning("could not publish change %s of room %s: %r", change, message.room_id, error)

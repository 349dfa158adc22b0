"""Render a committed change once and publish the same HTML to its room (DESIGN.md §2, §3)."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from rooms.events import MessageChanged
from rooms.messages import words
from rooms.models import Message
from rooms.people import news
from rooms.sockets import publish

logger = logging.getLogger(__name__)


def render_change(message: Message, change: int) -> dict[str, str]:
    """The frame for every page in the room, by language: the message appended if `change` made it, else
    replacing its element by id; with the room's cursor, this change's number, which the page sends back
    when it reconnects.

    Rendered once, whatever the number of pages and languages: our few words in it ("Edit", "(edited)")
    are markers, filled in per language (rooms/messages/words.py), and each page gets its own language's.
    """
    partial = "message-appended" if change == message.seq else "message-replaced"
    # What a page's render may set, said here: a name the partial looks up and does not find costs an exception.
    context = {
        "message": message,
        "room": message.room,
        "cursor": change,
        words.LATER: True,
        **{name: None for name in ("is_member", "continued", "oob", "focus", "refusal")},
    }
    # Outside any language, so that a word written another way than {% word %} shows up in English in
    # every frame, and the test that compares frames with a page's own render fails.
    with translation.override(None):
        html = render_to_string(f"rooms/room.html#{partial}", context).strip()
    frames = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            frames[language] = words.fill(html)
    return frames


def publish_change(message: Message, change: int) -> None:
    """Best effort: the change is already saved, so a failed send loses nothing for good (pages catch up)."""
    html = render_change(message, change)
    try:
        publish(MessageChanged(room_id=message.room_id, change=change, html=html))
        if change == message.seq:
            news.publish_news(message)
    except Exception as error:
        # One line, no traceback: while Redis is down every change ends here.
        logger.warning("could not publish change %s of room %s: %r", change, message.room_id, error)

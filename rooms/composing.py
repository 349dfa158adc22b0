"""What the room socket does with a compose frame, as plain synchronous code."""

import json

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from rooms.forms import MessageForm
from rooms.models import Room, User
from rooms.posting import post_message


def read_compose_frame(text: str) -> dict[str, str] | None:
    """The compose form's fields from an htmx ws-send frame, or None if the frame is not one.

    Only "body" and "client_id" are taken; everything else the frame carries
    (the CSRF token, htmx's HEADERS, fields claiming another author or room)
    is ignored.
    """
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(frame, dict):
        return None
    body = frame.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        return None
    client_id = frame.get("client_id")
    return {"body": body, "client_id": client_id if isinstance(client_id, str) else ""}


def post_and_render_composer(room: Room, author: User, fields: dict[str, str] | None) -> str:
    """Post the message and render the sender's composer: cleared after a send, with its error after a refusal."""
    if fields is None:
        form = MessageForm({"body": ""})
        form.errors.clear()
        form.add_error("body", _("The server could not read this message. Reload the page and send it again."))
    else:
        form = post_message(room=room, author=author, data=fields).form
    return render_to_string("rooms/room.html#composer-fields", {"form": form, "swap_oob": True}).strip()

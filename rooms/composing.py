"""What the room socket does with a compose frame, as plain synchronous code."""

import json
from dataclasses import dataclass

from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from rooms.catch_up import render_missed
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


@dataclass(frozen=True)
class Reply:
    html: str  # one frame for the sender: their composer, and their message if it is new to their page
    last_seq: int  # the newest message the sender's page now shows


def post_and_reply(
    room: Room, author: User, fields: dict[str, str] | None, *, shown_up_to: int, language: str
) -> Reply:
    """Post the message and build the sender's reply.

    The composer comes back cleared after a send, or with its error after a
    refusal. The sender's own message comes back too, with anything before it
    that their page lacks, read from the database: so the sender sees what
    they sent even when the broadcast is lost (Redis down), and in order.
    Errors are written in the sender's `language`.
    """
    with translation.override(language):
        return _post_and_reply(room, author, fields, shown_up_to=shown_up_to)


def _post_and_reply(room: Room, author: User, fields: dict[str, str] | None, *, shown_up_to: int) -> Reply:
    if fields is None:
        form = MessageForm({"body": ""})
        form.errors.clear()
        form.add_error("body", _("The server could not read this message. Reload the page and send it again."))
        message = None
    else:
        result = post_message(room=room, author=author, data=fields)
        form, message = result.form, result.message
    # data-answers names the message this composer answers for (see static/js/composer.js).
    answers = fields.get("client_id", "") if fields else ""
    context = {"form": form, "swap_oob": True, "answers": answers}
    parts = [render_to_string("rooms/room.html#composer-fields", context).strip()]
    if message is not None and message.seq > shown_up_to:
        # Quiet: the sender knows what they wrote; it is not news to announce back to them.
        try:
            missed = render_missed(
                room, after=shown_up_to, until=message.seq, quiet=True, language=translation.get_language()
            )
        except DatabaseError:
            missed = None  # saved all the same: the broadcast, or the next catch-up, brings it
        if missed is not None:
            parts.append(missed.html)
            shown_up_to = missed.last_seq
    return Reply(html="\n".join(parts), last_seq=shown_up_to)

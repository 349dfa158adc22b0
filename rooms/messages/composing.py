"""What the room socket does with a compose frame, as plain synchronous code."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.html import escape
from django.utils.translation import gettext as _

from rooms.forms import MessageForm
from rooms.messages.posting import post_message
from rooms.models import Room, User


def read_frame(text: str) -> dict[str, Any] | None:
    """A frame from the page as a JSON object, or None if it is not one.

    The page sends two kinds over the room socket: the compose form (htmx's
    hx-ws:send, read by read_compose_frame) and `{"typing": true}`
    (static/js/typing.js, read by rooms/people/typing.py). A frame with a
    "typing" key is the second kind whatever else it holds, and the compose
    form has no such field, so neither is ever taken for the other.
    """
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return frame if isinstance(frame, dict) else None


def read_compose_frame(frame: dict[str, Any] | None) -> dict[str, str] | None:
    """The compose form's fields from an htmx hx-ws:send frame (read_frame's object), or None if it is not one.

    Only "body" and "client_id" are taken; everything else the frame carries
    (the CSRF token, htmx's headers, fields claiming another author or room)
    is ignored.
    """
    if frame is None:
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
    html: str  # one frame for the sender: their composer
    change: int | None  # the change the sender's message made, which their page must show next (None if none)


def post_and_reply(room: Room, author: User, fields: dict[str, str] | None, *, language: str) -> Reply:
    """Post the message and build the sender's composer.

    The composer comes back cleared after a send, or with its error after a
    refusal, written in the sender's `language`; the page morphs it into the
    one it shows, so the box being typed in stays where it is. The sender's
    message reaches them like everybody's, by the broadcast; the consumer
    reads it from the database only if the broadcast has not brought it
    (Redis down).
    """
    with translation.override(language):
        return _post_and_reply(room, author, fields)


def _post_and_reply(room: Room, author: User, fields: dict[str, str] | None) -> Reply:
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
    if message is not None and answers and not form.is_bound:
        html = blank_composer(answers)
    else:
        html = render_composer(form, answers)
    return Reply(html=html, change=None if message is None else message.last_change)


def render_composer(form: MessageForm, answers: str) -> str:
    """The composer fields as a reply to a send over the socket.

    The box comes back empty even after a refusal: the page puts the refused
    text back itself, from the frame it sent (composer.js), so a reply never
    carries a message's text (nor fails to, for text that cannot be encoded).
    And nothing in it asks for the focus: the reply lands wherever the person
    is, perhaps reading messages, and must not pull them back to the box.
    """
    if form.is_bound:
        form.errors  # noqa: B018 (validates now, while the text is still there)
        form.data = {**form.data, "body": ""}
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    return render_to_string(
        "rooms/room.html#composer-fields", {"form": form, "swap_oob": True, "answers": answers}
    ).strip()


# After a send, the composer comes back blank: the same markup for everybody
# who reads a language, but for the message it answers for and a fresh client
# id. It is rendered once per language, with markers in those two places, and
# filled in per send: the busiest reply costs two replacements, not a render
# (bench/README.md). Forgotten when a template changes under the dev server.
ANSWERS_MARKER = "00000000-answers-marker-0000000000"
CLIENT_ID_MARKER = "00000000-client-id-marker-00000000"
_blank_composers: dict[str, str] = {}


def blank_composer(answers: str) -> str:
    language = translation.get_language()
    html = _blank_composers.get(language)
    if html is None:
        html = render_composer(MessageForm(initial={"client_id": CLIENT_ID_MARKER}), ANSWERS_MARKER)
        _blank_composers[language] = html
    return html.replace(ANSWERS_MARKER, escape(answers)).replace(CLIENT_ID_MARKER, str(uuid.uuid4()))


@receiver(file_changed)
def forget_blank_composers(**kwargs: Any) -> None:
    _blank_composers.clear()

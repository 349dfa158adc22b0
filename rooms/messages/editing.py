"""Editing a message: its author gives it new text (DESIGN.md §1, §2).

The same function serves the edit form without JavaScript and the htmx
request that the inline edit box sends. The text obeys the same rules as a new
message's; the earlier text is kept as a version, for the history page, until
the message is deleted.
"""

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rooms import access
from rooms.forms import EditMessageForm
from rooms.messages import formatting, history
from rooms.messages.changes import ChangeResult, NoSuchMessage, make_change
from rooms.messages.mentions import record_mentions
from rooms.messages.posting import rate_limit_refusal
from rooms.models import Message, MessageVersion, Room, User

logger = logging.getLogger(__name__)

EditResult = ChangeResult[EditMessageForm]


class Unchanged(Exception):
    """Saved with the text it already had: nothing to number, keep or tell anyone."""

    def __init__(self, message: Message) -> None:
        self.message = message


def edit_message(*, room: Room, editor: User, message_id: int, data: Mapping[str, Any]) -> EditResult:
    """Give message `message_id` of `room` the text in `data`, if `editor` may.

    Raises NoSuchMessage, with nothing changed, when the message is not
    theirs to edit: someone else's, another room's, deleted, or unknown alike.
    Refused text, a rate limit or a failing database come back as errors in
    the form, with nothing changed.
    """
    form = EditMessageForm({"body": data.get("body")}, message_id=message_id)
    if (refusal := rate_limit_refusal(author=editor, room=room)) is not None:
        reason, error = refusal
        logger.info("refused an edit by user %s in room %s: %s", editor.pk, room.pk, reason)
        form.add_error("body", error)
        return EditResult(form=form, message=None)
    if not form.is_valid():
        codes = [error.code for errors in form.errors.as_data().values() for error in errors]
        logger.info("refused an edit by user %s in room %s: %s", editor.pk, room.pk, codes)
        return EditResult(form=form, message=None)
    body = form.cleaned_data["body"]

    def save(change: int, now: datetime) -> Message:
        # With its reactions, for the frame to show them without a query of its own.
        message = (
            Message.objects.select_related("author", "attachment")
            .prefetch_related(history.reactions())
            .get(pk=message_id)
        )
        if message.body == body:
            raise Unchanged(message)
        MessageVersion.objects.create(
            message=message, body=message.body, written_at=message.edited_at or message.created_at, replaced_at=now
        )
        message.room = room
        message.body, (message.body_html, message.body_text) = body, formatting.rendered(body)
        message.edited_at, message.last_change = now, change
        message.save(update_fields=["body", "body_html", "body_text", "edited_at", "last_change"])
        record_mentions(message, replacing=True)
        return message

    def allowed() -> QuerySet[Message]:
        return access.messages_editable_by(editor).filter(pk=message_id, room=room)

    try:
        message = make_change(room, allowed=allowed, save=save)
    except Unchanged as unchanged:
        return EditResult(form=EditMessageForm(message_id=message_id), message=unchanged.message)
    except DatabaseError as error:
        logger.warning("could not save an edit by user %s in room %s: %r", editor.pk, room.pk, error)
        form.add_error("body", _("The server could not save this change. Try again in a moment."))
        return EditResult(form=form, message=None)
    if message is None:
        # Logged without the text: it is not theirs to keep in a log either.
        logger.info("refused an edit by user %s of message %s in room %s", editor.pk, message_id, room.pk)
        raise NoSuchMessage
    return EditResult(form=EditMessageForm(message_id=message_id), message=message)

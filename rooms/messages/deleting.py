"""Deleting a message: by its author, or by staff (DESIGN.md §1, §2).

Its text, its earlier versions, its mentions, its reactions and its attachment go from the database (the
attachment's files from the storage, once that is committed); the
row stays as a tombstone in its place, so that every page, open now or
coming back later, replaces the message with a marker.
"""

import logging
from datetime import datetime

from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rooms import access
from rooms.forms import DeleteMessageForm
from rooms.messages.changes import ChangeResult, NoSuchMessage, make_change
from rooms.messages.posting import rate_limit_refusal
from rooms.models import Message, MessageVersion, Reaction, Room, User

logger = logging.getLogger(__name__)

DeleteResult = ChangeResult[DeleteMessageForm]


def delete_message(*, room: Room, deleter: User, message_id: int) -> DeleteResult:
    """Delete message `message_id` of `room`, if `deleter` may.

    Raises NoSuchMessage, with nothing changed, when it is not theirs to
    delete (someone else's, unless they are staff; another room's; deleted
    already; unknown). A rate limit or a failing database come back as the
    form's error.
    """
    form = DeleteMessageForm({})
    if (refusal := rate_limit_refusal(author=deleter, room=room)) is not None:
        reason, error = refusal
        logger.info("refused a deletion by user %s in room %s: %s", deleter.pk, room.pk, reason)
        form.add_error(None, error)
        return DeleteResult(form=form, message=None)

    def save(change: int, now: datetime) -> Message:
        message = Message.objects.select_related("author", "attachment").get(pk=message_id)
        MessageVersion.objects.filter(message=message).delete()
        Message.mentions.through.objects.filter(message=message).delete()
        Reaction.objects.filter(message=message).delete()
        if (attachment := message.attached) is not None:
            attachment.delete()  # its files go once this is committed (rooms/signals.py)
        Message.attachment.related.set_cached_value(message, None)
        message.room = room
        message.body = message.body_html = message.body_text = ""
        message.deleted_at, message.last_change = now, change
        message.mentioned_ids = []
        message.save(update_fields=["body", "body_html", "body_text", "deleted_at", "last_change"])
        return message

    def allowed() -> QuerySet[Message]:
        return access.messages_deletable_by(deleter).filter(pk=message_id, room=room)

    try:
        message = make_change(room, allowed=allowed, save=save)
    except DatabaseError as error:
        logger.warning("could not delete message %s for user %s: %r", message_id, deleter.pk, error)
        form.add_error(None, _("The server could not delete this message. Try again in a moment."))
        return DeleteResult(form=form, message=None)
    if message is None:
        logger.info("refused a deletion by user %s of message %s in room %s", deleter.pk, message_id, room.pk)
        raise NoSuchMessage
    if message.author_id != deleter.pk:
        logger.info("staff user %s deleted message %s of user %s", deleter.pk, message.pk, message.author_id)
    return DeleteResult(form=DeleteMessageForm(), message=message)

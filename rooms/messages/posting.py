"""Posting: the one write path for new messages (DESIGN.md §1, §2).

The WebSocket consumer and the plain POST view both call post_message: it
checks the rate limits and the text, then makes the change on the skeleton
every verb shares (rooms/messages/changes.py), which authorises, numbers,
saves and, once the row is committed, publishes. A message with a file (the
attach form's POST, with or without htmx) comes the same way, with `files`:
its file is stored inside the change and removed again if the change fails;
an image's thumbnail is a task, enqueued once the message is committed.
"""

import logging
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from rooms import access
from rooms.forms import AttachmentForm, MessageForm
from rooms.messages import formatting, thumbnails
from rooms.messages.changes import ChangeResult, make_change
from rooms.messages.mentions import record_mentions
from rooms.models import Attachment, Message, Room, User
from rooms.rate_limit import RATE_LIMITED, may_post_in_room, may_send_message

logger = logging.getLogger(__name__)


PostResult = ChangeResult[MessageForm]


def post_message(
    *, room: Room, author: User, data: Mapping[str, Any], files: "Mapping[str, UploadedFile[bytes]] | None" = None
) -> PostResult:
    """Save what `author` typed into `room` and broadcast it after commit.

    `data` is the submitted form (or WebSocket frame); only its "body" and
    "client_id" are read: the author and the room come from the caller's
    session and URL, never from the data. With `files` (the attach form's),
    the message carries its "file" ("alt_text" in `data` describing an image),
    and its text is an optional caption. Raises PermissionDenied when the
    author may not write here. When the database fails, nothing is saved or
    broadcast, and the form says so, with the text kept.
    """
    fields = {"body": data.get("body"), "client_id": data.get("client_id")}
    if files is not None:
        form: MessageForm = AttachmentForm({**fields, "alt_text": data.get("alt_text")}, {"file": files.get("file")})
    else:
        form = MessageForm(fields)
    try:
        return _post_message(room=room, author=author, form=form)
    except DatabaseError as error:
        # One line, no traceback: while the database is down every send ends here.
        logger.warning("could not save a message from user %s in room %s: %r", author.pk, room.pk, error)
        form.add_error("body", _("The server could not save this message, so it was not sent. Try again in a moment."))
        return PostResult(form=form, message=None)


def _post_message(*, room: Room, author: User, form: MessageForm) -> PostResult:
    if (refusal := rate_limit_refusal(author=author, room=room)) is not None:
        # A resend of a message already stored (the page's retry after its answer
        # was lost) is acknowledged whatever the limit says: told "too fast", the
        # page would put the text back, and sending it again would store it twice.
        # Looked up only here, so that the normal path costs no query more.
        if (sent := already_sent(author=author, form=form)) is not None:
            return PostResult(form=type(form)(), message=sent)
        reason, error = refusal
        logger.info("refused message from user %s in room %s: %s", author.pk, room.pk, reason)
        form.add_error("body", error)
        return PostResult(form=form, message=None)
    if not form.is_valid():
        codes = [error.code for errors in form.errors.as_data().values() for error in errors]
        logger.info("refused message from user %s in room %s: %s", author.pk, room.pk, codes)
        return PostResult(form=form, message=None)
    body, client_id = form.cleaned_data["body"], form.cleaned_data["client_id"]
    stored: list[str] = []  # the files this change stored, removed again if it is undone

    def save(change: int, now: datetime) -> Message:
        body_html, body_text = formatting.rendered(body)
        message = Message.objects.create(
            room=room,
            author=author,
            body=body,
            body_html=body_html,
            body_text=body_text,
            seq=change,
            last_change=change,
            client_id=client_id,
            created_at=now,
        )
        record_mentions(message, replacing=False)
        if isinstance(form, AttachmentForm):
            attach(message, form, stored)
        else:
            Message.attachment.related.set_cached_value(message, None)  # none, known without a query
        return message

    try:
        message = make_change(
            room,
            allowed=lambda: access.rooms_writable_by(author).filter(pk=room.pk),
            save=save,
            activity=True,
            # The rule's SQL names the author and the room by id, and nothing else of them.
            same_sql_for=("post", author.pk, room.pk),
        )
    except IntegrityError:
        # Sent before (a double click, a replay after reconnecting): already saved and
        # broadcast. The whole transaction, numbering included, was rolled back.
        remove_stored(stored)
        sent = already_sent(author=author, form=form)
        if sent is None:
            raise
        return PostResult(form=type(form)(), message=sent)
    except BaseException:
        remove_stored(stored)  # nothing half-saved: the row is gone, so is its file
        raise
    if message is None:
        logger.info("refused message: user %s is not a member of room %s", author.pk, room.pk)
        raise PermissionDenied
    if (attachment := message.attached) is not None and attachment.is_image:
        transaction.on_commit(partial(thumbnails.make_thumbnail.enqueue, attachment.pk))
    return PostResult(form=type(form)(), message=message)


def attach(message: Message, form: AttachmentForm, stored: list[str]) -> Attachment:
    """Store the form's file for `message`, inside its change; its name goes on `stored` at once."""
    upload: UploadedFile[bytes] = form.cleaned_data["file"]
    file_type = form.file_type
    assert file_type is not None  # the form is valid
    attachment = Attachment(
        message=message,
        name=upload.name or "",
        content_type=file_type.content_type,
        size=upload.size or 0,
        alt_text=form.cleaned_data["alt_text"] if file_type.is_image else "",
        width=file_type.width,
        height=file_type.height,
    )
    attachment.file.save(upload.name or "", upload, save=False)
    stored.append(str(attachment.file.name))
    attachment.save()
    return attachment


def remove_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def rate_limit_refusal(*, author: User, room: Room) -> tuple[str, ValidationError] | None:
    """Why a message may not go now (for the log, and for the sender), or None.

    The author's own limit first: a flood from one person does not use up the room's.
    """
    if not may_send_message(author):
        text = _("You are sending messages too fast. Wait a few seconds, then send this one again.")
        return "rate limit", ValidationError(text, code=RATE_LIMITED)
    if not may_post_in_room(room=room):
        text = _("This room is receiving too many messages right now. Wait a few seconds, then send this one again.")
        return "the room's rate limit", ValidationError(text, code=RATE_LIMITED)
    return None


def already_sent(*, author: User, form: MessageForm) -> Message | None:
    """The message `author` already stored under the form's client id, if there is one."""
    form.is_valid()  # the client id is read even when the body is refused
    client_id = form.cleaned_data.get("client_id")
    return Message.objects.filter(author=author, client_id=client_id).first() if client_id else None

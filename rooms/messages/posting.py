"""The one write path for messages (DESIGN.md §1, §2).

The WebSocket consumer and the plain POST view both call post_message: it
authorises, validates, saves, and only once the row is committed hands the
message to the broadcast.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rooms.forms import MessageForm
from rooms.messages.broadcast import broadcast_message
from rooms.models import Membership, Message, Room, User
from rooms.rate_limit import RATE_LIMITED, may_post_in_room, may_send_message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostResult:
    """The composer to show the sender next (blank after a send, with errors after a refusal) and the saved message."""

    form: MessageForm
    message: Message | None


def post_message(*, room: Room, author: User, data: Mapping[str, Any]) -> PostResult:
    """Save what `author` typed into `room` and broadcast it after commit.

    `data` is the submitted form (or WebSocket frame); only its "body" and
    "client_id" are read: the author and the room come from the caller's
    session and URL, never from the data. Raises PermissionDenied when the
    author may not write here. When the database fails, nothing is saved or
    broadcast, and the form says so, with the text kept.
    """
    form = MessageForm({"body": data.get("body"), "client_id": data.get("client_id")})
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
            return PostResult(form=MessageForm(), message=sent)
        reason, error = refusal
        logger.info("refused message from user %s in room %s: %s", author.pk, room.pk, reason)
        form.add_error("body", error)
        return PostResult(form=form, message=None)
    if not form.is_valid():
        codes = [error.code for errors in form.errors.as_data().values() for error in errors]
        logger.info("refused message from user %s in room %s: %s", author.pk, room.pk, codes)
        return PostResult(form=form, message=None)
    client_id = form.cleaned_data["client_id"]
    try:
        with transaction.atomic():
            numbered = take_next_seq_as_member(author, room)
            if numbered is None:
                logger.info("refused message: user %s is not a member of room %s", author.pk, room.pk)
                raise PermissionDenied
            seq, now = numbered
            message = Message.objects.create(
                room=room, author=author, body=form.cleaned_data["body"], seq=seq, client_id=client_id, created_at=now
            )
            transaction.on_commit(partial(broadcast_message, message))
    except IntegrityError:
        # Sent before (a double click, a replay after reconnecting): already saved and
        # broadcast. The whole transaction, numbering included, was rolled back.
        sent = already_sent(author=author, form=form)
        if sent is None:
            raise
        return PostResult(form=MessageForm(), message=sent)
    return PostResult(form=MessageForm(), message=message)


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


def take_next_seq_as_member(author: User, room: Room) -> tuple[int, datetime] | None:
    """Number the room's next message if `author` is still an active member; the number and the time, or None.

    The membership rule is access.is_member's, asked again for every message
    (DESIGN.md §5). Here it is part of one UPDATE ... RETURNING (SQLite 3.35+
    and PostgreSQL), which also locks the room's row until commit, so that
    writers in a room take turns and numbers are committed in order. One
    statement instead of a check, a lock and a save: posting is the hot path,
    and nobody removed between the check and the write can slip a message in.
    """
    now = timezone.now()
    quote = connection.ops.quote_name
    room_table, membership_table, user_table = (quote(m._meta.db_table) for m in (Room, Membership, User))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {room_table} SET last_seq = last_seq + 1, last_activity_at = %s "  # noqa: S608 (names, not input)
            f"WHERE id = %s AND EXISTS (SELECT 1 FROM {membership_table} m JOIN {user_table} u ON u.id = m.user_id "
            f"WHERE m.room_id = {room_table}.id AND m.user_id = %s AND u.is_active) "
            "RETURNING last_seq",
            [now, room.pk, author.pk],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], now)

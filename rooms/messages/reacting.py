"""Reacting to a message: one person's emoji on it, given or taken back (DESIGN.md §1, §2).

The same function serves the reaction buttons without JavaScript and with
htmx. Each toggle is a change of the room, numbered like an edit, so that the
message is replaced on every open page and on the pages that come back later.
"""

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rooms import access
from rooms.forms import ReactionForm
from rooms.messages.changes import ChangeResult, NoSuchMessage, make_change
from rooms.messages.history import shown_messages
from rooms.messages.posting import rate_limit_refusal
from rooms.models import Message, Reaction, Room, User

logger = logging.getLogger(__name__)

ReactionResult = ChangeResult[ReactionForm]


def toggle_reaction(*, room: Room, user: User, message_id: int, data: Mapping[str, Any]) -> ReactionResult:
    """Give message `message_id` of `room` the emoji in `data` from `user`, or take it back if they had given it.

    Raises NoSuchMessage, with nothing changed, when `user` may not react to
    it: a message of another room, of a room they may not write in, deleted,
    or unknown alike. Anything but one emoji, a rate limit or a failing
    database come back as errors in the form, with nothing changed.
    """
    form = ReactionForm({"emoji": data.get("emoji")}, message_id=message_id)
    if (refusal := rate_limit_refusal(author=user, room=room)) is not None:
        reason, error = refusal
        logger.info("refused a reaction by user %s in room %s: %s", user.pk, room.pk, reason)
        form.add_error("emoji", error)
        return ReactionResult(form=form, message=None)
    if not form.is_valid():
        codes = [error.code for errors in form.errors.as_data().values() for error in errors]
        logger.info("refused a reaction by user %s in room %s: %s", user.pk, room.pk, codes)
        return ReactionResult(form=form, message=None)
    emoji = form.cleaned_data["emoji"]

    def save(change: int, now: datetime) -> Message:
        # Under the room's lock (the numbering's), so two toggles of one person's emoji take turns.
        taken_back, _by_kind = Reaction.objects.filter(message_id=message_id, user=user, emoji=emoji).delete()
        if not taken_back:
            Reaction.objects.create(message_id=message_id, user=user, emoji=emoji, created_at=now)
        Message.objects.filter(pk=message_id).update(last_change=change)
        message = shown_messages(room).get(pk=message_id)
        message.room = room
        return message

    def allowed() -> QuerySet[Message]:
        return access.messages_reactable_by(user).filter(pk=message_id, room=room)

    try:
        message = make_change(room, allowed=allowed, save=save)
    except DatabaseError as error:
        logger.warning("could not save a reaction by user %s in room %s: %r", user.pk, room.pk, error)
        form.add_error("emoji", _("The server could not save this change. Try again in a moment."))
        return ReactionResult(form=form, message=None)
    if message is None:
        # Logged without the emoji, like an edit without its text.
        logger.info("refused a reaction by user %s to message %s in room %s", user.pk, message_id, room.pk)
        raise NoSuchMessage
    return ReactionResult(form=ReactionForm(message_id=message_id), message=message)

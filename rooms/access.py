"""Who may read, write, edit and delete where: the one place that answers it (DESIGN.md §4, §5).

Every room is listed in the lobby and readable by anyone signed in; writing
needs membership, which a person takes by entering the room and gives up by
leaving it. One edits and deletes one's own messages where one may write;
staff may delete anyone's.

Each rule is a query. Pages ask it with `.exists()` or a lookup; the numbering
statement of every change (rooms/messages/changes.py) embeds the same query as
its condition, so that the rule holds at the moment the change is numbered,
under the room's lock, and is written once.
"""

import logging

from django.db import transaction
from django.db.models import Case, Q, QuerySet, When
from django.shortcuts import get_object_or_404

from rooms.lookalikes import skeleton
from rooms.models import Membership, Message, Room, User
from rooms.people.cutoff import cut_off_from_room
from rooms.rate_limit import may_create_room

logger = logging.getLogger(__name__)


def get_room(slug: str) -> Room:
    """The room at this address, or 404."""
    return get_object_or_404(Room, slug=slug)


def find_member_room(user: User, slug: str) -> Room | None:
    """The room at this address if `user` may write in it; None for unknown and forbidden alike."""
    if not user.is_authenticated:
        return None
    room = Room.objects.filter(slug=slug).first()
    return room if room is not None and is_member(user, room) else None


def rooms_writable_by(user: User) -> QuerySet[Room]:
    """The rooms `user` may post in: still active, and a member."""
    return Room.objects.filter(membership__user=user, membership__user__is_active=True)


def is_member(user: User, room: Room) -> bool:
    """Still active and still a member (posting asks the same, in its numbering statement, for every message)."""
    return rooms_writable_by(user).filter(pk=room.pk).exists()


def messages_editable_by(user: User) -> QuerySet[Message]:
    """Their own messages, not deleted, in the rooms they may still write in."""
    return Message.objects.filter(author=user, deleted_at=None, room__in=rooms_writable_by(user))


def messages_deletable_by(user: User) -> QuerySet[Message]:
    """What `user` may delete: what they may edit; staff, any message not deleted yet."""
    if user.is_staff and user.is_active:
        return Message.objects.filter(deleted_at=None)
    return messages_editable_by(user)


def messages_readable_by(user: User, *, deleted: bool = False) -> QuerySet[Message]:
    """Every room is open to whoever is signed in. A deleted message has nothing left to read but its
    marker, which is shown in its place (`deleted=True`) and nowhere else."""
    if not user.is_authenticated:
        return Message.objects.none()
    return Message.objects.all() if deleted else Message.objects.filter(deleted_at=None)


def get_message(messages: QuerySet[Message], room: Room, pk: int) -> Message:
    """The message `pk` of `room` among `messages` (one of the rules above), or 404.

    Someone else's message, one of another room, a deleted one and one that
    does not exist all get the same answer.
    """
    return get_object_or_404(messages.filter(room=room).select_related("author"), pk=pk)


class TooManyNewRooms(Exception):
    """The person has created rooms faster than ROOM_CREATION_RATE_LIMIT allows (rooms/rate_limit.py)."""


def enter_room(*, user: User, name: str, slug: str) -> Room:
    """Find the room this name leads to (its address, or a room whose name looks the same),
    creating it with this name if it is new, and join it.

    Creating counts against the person's limit, so that one person cannot
    fill the lobby; entering a room that exists does not. Raises
    TooManyNewRooms when the limit refuses, with nothing created or joined.
    """
    with transaction.atomic():
        room = find_room_like(slug=slug)
        if room is None:
            if not may_create_room(user=user):
                logger.info("refused a new room by user %s: rate limit", user.pk)
                raise TooManyNewRooms
            # Two people creating look-alikes at once: the unique skeleton makes one wait, then find the other's.
            room, _created = Room.objects.get_or_create(skeleton=skeleton(slug), defaults={"name": name, "slug": slug})
        join_room(user=user, room=room)
    return room


def find_room_like(*, slug: str) -> Room | None:
    """The room at this address, or else the one whose address looks the same (one query)."""
    rooms = Room.objects.filter(Q(slug=slug) | Q(skeleton=skeleton(slug)))
    return rooms.order_by(Case(When(slug=slug, then=0), default=1)).first()


def join_room(*, user: User, room: Room) -> None:
    Membership.objects.get_or_create(room=room, user=user)


def leave_room(*, user: User, room: Room) -> None:
    Membership.objects.filter(room=room, user=user).delete()
    cut_off_from_room(user, room)

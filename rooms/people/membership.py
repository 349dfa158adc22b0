"""Who is in which room: entering (and creating) rooms, joining and leaving (DESIGN.md §4).

Who may do each of these is rooms/access.py's; this module changes the memberships.
"""

import logging

from django.db import transaction
from django.db.models import Case, Q, When

from rooms.lookalikes import skeleton
from rooms.models import Membership, Room, User
from rooms.people.cutoff import cut_off_from_room
from rooms.rate_limit import may_create_room

logger = logging.getLogger(__name__)


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

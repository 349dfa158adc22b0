"""Who may read and write where: the one place that answers it (DESIGN.md §4, §5).

Every room is listed in the lobby and readable by anyone signed in; writing
needs membership, which a person takes by entering the room and gives up by
leaving it.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404

from rooms.models import Membership, Room, User
from rooms.people.cutoff import cut_off_from_room


def get_room(slug: str) -> Room:
    """The room at this address, or 404."""
    return get_object_or_404(Room, slug=slug)


def find_member_room(user: User, slug: str) -> Room | None:
    """The room at this address if `user` may write in it; None for unknown and forbidden alike."""
    if not user.is_authenticated:
        return None
    room = Room.objects.filter(slug=slug).first()
    return room if room is not None and is_member(user, room) else None


def is_member(user: User, room: Room) -> bool:
    """Still active and still a member (posting asks the same, in its numbering statement, for every message)."""
    return Membership.objects.filter(room=room, user=user, user__is_active=True).exists()


def enter_room(*, user: User, name: str, slug: str) -> Room:
    """Find the room this name leads to, creating it with this name if it is new, and join it."""
    with transaction.atomic():
        room, _created = Room.objects.get_or_create(slug=slug, defaults={"name": name})
        join_room(user=user, room=room)
    return room


def join_room(*, user: User, room: Room) -> None:
    Membership.objects.get_or_create(room=room, user=user)


def leave_room(*, user: User, room: Room) -> None:
    Membership.objects.filter(room=room, user=user).delete()
    cut_off_from_room(user, room)

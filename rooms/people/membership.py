"""Who is in which room: entering and creating rooms, direct conversations, joining, leaving, and what a
room's admins change (DESIGN.md §4).

Who may do each of these is rooms/access.py's; this module changes rooms and memberships. Every way a
person stops being a member (leaving, being removed) closes their open sockets to the room at once.
"""

import logging
import secrets
import string
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Case, Q, When
from django.utils.text import slugify

from rooms.lookalikes import skeleton
from rooms.models import Membership, Room, User
from rooms.people import news
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
            room, created = Room.objects.get_or_create(skeleton=skeleton(slug), defaults={"name": name, "slug": slug})
            if created:
                Membership.objects.create(room=room, user=user, is_admin=True)  # its creator is its first admin
                news.tell_of_joining(room, [user])
        join_room(user=user, room=room)
    return room


def find_room_like(*, slug: str) -> Room | None:
    """The open room at this address, or else the one whose address looks the same (one query).

    Only open rooms: a private room's name leads nobody to it (its address is random).
    """
    rooms = Room.objects.filter(Q(slug=slug) | Q(skeleton=skeleton(slug)), kind=Room.Kind.OPEN)
    return rooms.order_by(Case(When(slug=slug, then=0), default=1)).first()


def hidden_slug(name: str) -> str:
    """An address for a room that only its members may find: from its name, and a part no name makes.

    Eight capital letters: slugify lowercases, so no name typed in the lobby ever spells this address.
    """
    hidden = "".join(secrets.choice(string.ascii_uppercase) for _ in range(8))
    return f"{slugify(name, allow_unicode=True)[:80]}-{hidden}".lstrip("-")


def create_private_room(*, user: User, name: str, description: str = "") -> Room:
    """A new private room, with `user` as its first member and admin. Raises TooManyNewRooms, creating nothing."""
    with transaction.atomic():
        if not may_create_room(user=user):
            logger.info("refused a new private room by user %s: rate limit", user.pk)
            raise TooManyNewRooms
        room = Room.objects.create(name=name, slug=hidden_slug(name), kind=Room.Kind.PRIVATE, description=description)
        Membership.objects.create(room=room, user=user, is_admin=True)
        news.tell_of_joining(room, [user])
    return room


def start_conversation(*, user: User, others: Iterable[User]) -> Room:
    """The direct conversation between `user` and `others`: the one they already have, or a new one.

    The same set of people always reaches the same conversation (its `direct_key`, unique). Starting a new
    one counts against the person's limit for new rooms, like creating any room.
    """
    people = {user.pk: user, **{other.pk: other for other in others}}
    key = "-".join(str(pk) for pk in sorted(people))
    existing = Room.objects.filter(direct_key=key).first()
    if existing is not None:
        # Whoever had left it is back in it: it is still their conversation with these people.
        still_in = set(existing.members.values_list("pk", flat=True))
        back = [person for pk, person in people.items() if pk not in still_in]
        Membership.objects.bulk_create(
            [Membership(room=existing, user=person) for person in back], ignore_conflicts=True
        )
        news.tell_of_joining(existing, back)
        return existing
    if not may_create_room(user=user):
        logger.info("refused a new conversation by user %s: rate limit", user.pk)
        raise TooManyNewRooms
    name = ", ".join(sorted(person.display_name for person in people.values()))[:100]
    try:
        with transaction.atomic():
            room = Room.objects.create(
                name=name, slug=hidden_slug("conversation"), kind=Room.Kind.DIRECT, direct_key=key
            )
            Membership.objects.bulk_create(Membership(room=room, user=person) for person in people.values())
            news.tell_of_joining(room, list(people.values()))
    except IntegrityError:
        return Room.objects.get(direct_key=key)  # started by one of them at the same moment
    return room


def join_room(*, user: User, room: Room) -> None:
    _membership, created = Membership.objects.get_or_create(room=room, user=user)
    if created:
        news.tell_of_joining(room, [user])


def leave_room(*, user: User, room: Room) -> None:
    remove_member(room=room, user=user)


def add_member(*, room: Room, user: User) -> bool:
    """Make `user` a member (an admin's doing); False if they already were."""
    _membership, created = Membership.objects.get_or_create(room=room, user=user)
    if created:
        news.tell_of_joining(room, [user])
    return created


def remove_member(*, room: Room, user: User) -> None:
    """No longer a member: their open sockets to the room close at once (rooms/signals.py), and stop receiving it."""
    Membership.objects.filter(room=room, user=user).delete()


def set_admin(*, room: Room, user: User, is_admin: bool) -> None:
    Membership.objects.filter(room=room, user=user).update(is_admin=is_admin)


def change_kind(*, room: Room, kind: str) -> None:
    """Open or private. Going private, the room takes a hidden address and its name no longer leads to it."""
    if kind == room.kind:
        return
    room.kind = kind
    fields = ["kind"]
    if kind == Room.Kind.PRIVATE:
        room.slug, room.skeleton = hidden_slug(room.name), None
        fields += ["slug", "skeleton"]
    room.save(update_fields=fields)

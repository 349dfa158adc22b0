"""What each member has not read yet, per room: counted from the place of the last message they read.

A message is unread by a member when it comes after their `Membership.last_read_seq`, is not theirs, and
is not deleted; a mention, when it also mentions them. What is counted follows the member's choice for the
room (`Membership.notify`): everything, mentions only, or nothing. Opening a room marks what the page shows as read;
with JavaScript, the page also marks what scrolls into view while the tab is visible.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least

from rooms.models import Membership, Message, Room, User


@dataclass(frozen=True)
class Unread:
    messages: int
    mentions: int


def mark_read(user: User, room: Room, seq: int) -> bool:
    """`user` has read `room` up to message `seq`; never backwards, and never past the room's newest change
    (a page's number is not trusted further). True if that moved their mark. One statement."""
    newest = Room.objects.filter(pk=room.pk).values("last_seq")
    moved = Membership.objects.filter(room=room, user=user, last_read_seq__lt=seq).update(
        last_read_seq=Least(Value(seq), Subquery(newest))
    )
    return bool(moved)


def unread_messages(user: User) -> "Q":
    """The condition, on Message, of being unread by `user` (within a membership's room)."""
    return Q(deleted_at=None) & ~Q(author=user)


def unread_by_room(user: User, *, rooms: list[int] | None = None) -> dict[int, Unread]:
    """For every room `user` is a member of (of `rooms`, if given) that has unread messages: how many, and
    how many mention them.

    One query, whatever the number of rooms: two counting subqueries per membership, each reading the
    room's messages after the member's mark by the (room, seq) index.
    """

    def counted(extra: Q) -> Subquery:
        messages = (
            Message.objects.filter(room=OuterRef("room_id"), seq__gt=OuterRef("last_read_seq"))
            .filter(unread_messages(user) & extra)
            .order_by()
            .values("room")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(messages, output_field=IntegerField()), 0)  # type: ignore[return-value]

    memberships = Membership.objects.filter(user=user)
    if rooms is not None:
        memberships = memberships.filter(room_id__in=rooms)
    rows = (
        memberships.exclude(notify=Membership.Notify.NONE)
        .annotate(unread=counted(Q()), mentioned=counted(Q(mentions=user)))
        .filter(unread__gt=0)
        .values_list("room_id", "unread", "mentioned", "notify")
    )
    counts = {}
    for room_id, unread, mentioned, notify in rows:
        # A room one follows for mentions only counts those; one muted counts nothing (excluded above).
        if notify == Membership.Notify.MENTIONS:
            unread = 0
        if unread or mentioned:
            counts[room_id] = Unread(messages=unread, mentions=mentioned)
    return counts

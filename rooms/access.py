"""Who may read, write, administer, edit and delete where: the one place that answers it (DESIGN.md §4, §5).

An open room is listed in the lobby and readable by anyone signed in, who
joins it by entering it; a private room and a direct conversation are seen by
their members alone, and to anyone else look exactly like a room that does not
exist (404). Writing needs membership. A room's admins (its creator first)
rename it, describe it, change its kind and its members. One edits and deletes
one's own messages where one may write; staff may delete anyone's. One reacts
to anyone's message where one may write. A message's attachment is read by
whoever may read the message, and by nobody else.

Each rule is a query. Pages ask it with `.exists()` or a lookup; the numbering
statement of every change (rooms/messages/changes.py) embeds the same query as
its condition, so that the rule holds at the moment the change is numbered,
under the room's lock, and is written once.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from rooms.models import Attachment, Membership, Message, Room, User


def rooms_readable_by(user: User) -> QuerySet[Room]:
    """Open rooms, and the private rooms and conversations `user` is a member of."""
    if not user.is_authenticated:
        return Room.objects.none()
    theirs = Membership.objects.filter(user=user).values("room_id")
    return Room.objects.filter(Q(kind=Room.Kind.OPEN) | Q(pk__in=theirs))


def get_room(user: User, slug: str) -> Room:
    """The room at this address if `user` may read it, or 404: unknown and hidden alike."""
    return get_object_or_404(rooms_readable_by(user), slug=slug)


def may_join(user: User, room: Room) -> bool:
    """Anyone signed in and active joins an open room; the others are joined by their admins (or by starting them)."""
    return user.is_active and room.kind == Room.Kind.OPEN


def rooms_administered_by(user: User) -> QuerySet[Room]:
    """The rooms whose admin `user` is (direct conversations have none: their people are what they are)."""
    admins = active_memberships(user).filter(is_admin=True).values("room_id")
    return Room.objects.filter(pk__in=admins).exclude(kind=Room.Kind.DIRECT)


def may_administer(user: User, room: Room, membership: Membership | None = None) -> bool:
    """Whether `user` administers `room`; from their `membership` (membership_of) when the caller has it."""
    if membership is not None:
        return membership.is_admin and membership.user_id == user.pk and room.kind != Room.Kind.DIRECT
    return rooms_administered_by(user).filter(pk=room.pk).exists()


def find_member_room(user: User, slug: str) -> Room | None:
    """The room at this address if `user` may write in it; None for unknown and forbidden alike."""
    if not user.is_authenticated:
        return None
    room = Room.objects.filter(slug=slug).first()
    return room if room is not None and is_member(user, room) else None


def active_memberships(user: User) -> QuerySet[Membership]:
    """What makes `user` a member who may write: still active, and a member. The other rules build on it."""
    return Membership.objects.filter(user=user, user__is_active=True)


def rooms_writable_by(user: User) -> QuerySet[Room]:
    """The rooms `user` may post in."""
    return Room.objects.filter(pk__in=active_memberships(user).values("room_id"))


def membership_of(user: User, room: Room) -> Membership | None:
    """`user`'s membership of `room` if it lets them write there (and says whether they are an admin), else None."""
    return active_memberships(user).filter(room=room).first()


def is_member(user: User, room: Room) -> bool:
    """Still active and still a member (posting asks the same, in its numbering statement, for every message)."""
    return active_memberships(user).filter(room=room).exists()


def messages_editable_by(user: User) -> QuerySet[Message]:
    """Their own messages, not deleted, in the rooms they may still write in."""
    return Message.objects.filter(author=user, deleted_at=None, room__in=rooms_writable_by(user))


def messages_deletable_by(user: User) -> QuerySet[Message]:
    """What `user` may delete: what they may edit; staff, any message not deleted yet."""
    if user.is_staff and user.is_active:
        return Message.objects.filter(deleted_at=None)
    return messages_editable_by(user)


def messages_reactable_by(user: User) -> QuerySet[Message]:
    """Anyone's messages, not deleted, in the rooms `user` may write in: reacting is saying something there."""
    return Message.objects.filter(deleted_at=None, room__in=rooms_writable_by(user))


def messages_readable_by(user: User, *, deleted: bool = False) -> QuerySet[Message]:
    """The messages of the rooms `user` may read. A deleted message has nothing left to read but its
    marker, which is shown in its place (`deleted=True`) and nowhere else."""
    messages = Message.objects.filter(room__in=rooms_readable_by(user))
    return messages if deleted else messages.filter(deleted_at=None)


def messages_still_shown() -> QuerySet[Message]:
    """What a change of the system's own (an image's thumbnail, rooms/messages/thumbnails.py) may touch:
    a message not deleted, whoever wrote it."""
    return Message.objects.filter(deleted_at=None)


def attachments_readable_by(user: User) -> QuerySet[Attachment]:
    """The files of the messages `user` may read (a deleted message has none left)."""
    return Attachment.objects.filter(message__in=messages_readable_by(user))


def get_message(messages: QuerySet[Message], room: Room, pk: int) -> Message:
    """The message `pk` of `room` among `messages` (one of the rules above), or 404.

    Someone else's message, one of another room, a deleted one and one that
    does not exist all get the same answer.
    """
    return get_object_or_404(messages.filter(room=room).select_related("author", "attachment"), pk=pk)

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

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from rooms.models import Message, Room, User


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

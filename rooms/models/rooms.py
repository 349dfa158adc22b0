"""Rooms and who belongs to them."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rooms.events import room_group
from rooms.models.people import User

ROOM_NAME_MAX_LENGTH = 100
ROOM_DESCRIPTION_MAX_LENGTH = 500


class Room(models.Model):
    class Kind(models.TextChoices):
        # Who may read and join each kind is rooms/access.py's business.
        OPEN = "open", _("Open: anyone signed in may read it and join")
        PRIVATE = "private", _("Private: only its members may see it")
        DIRECT = "direct", _("Direct conversation")

    # The name is shown exactly as its creator typed it. An open room's slug, derived
    # from it, is its address and what makes two names the same room; a private room's
    # and a conversation's are random, so that their names lead nobody to them.
    name = models.CharField(_("name"), max_length=ROOM_NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OPEN)
    description = models.TextField(_("description"), max_length=ROOM_DESCRIPTION_MAX_LENGTH, blank=True)
    # A direct conversation's people, as sorted ids ("3-7-12"): the same people always reach the same one.
    direct_key = models.CharField(max_length=255, unique=True, null=True, blank=True, editable=False)
    slug = models.SlugField(max_length=ROOM_NAME_MAX_LENGTH, unique=True, allow_unicode=True)
    # What the slug looks like (rooms/lookalikes.py): a name that looks like an existing
    # room's leads to it, never to a second room that looks the same. Empty (NULL) only
    # for rooms that looked like an older one before this was checked.
    skeleton = models.TextField(unique=True, null=True, editable=False)  # noqa: DJ001  # NULLs may repeat, "" may not
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The number of the room's newest change. Every change to what the room shows
    # (a message posted, edited, deleted) is numbered 1, 2, 3... per room, under a
    # lock on this row (rooms/messages/changes.py), so that numbering order is commit
    # order and a page can tell a change it missed from one not yet made.
    last_seq = models.PositiveBigIntegerField(default=0)
    members = models.ManyToManyField(User, through="Membership", related_name="rooms")

    class Meta:
        ordering = ["-last_activity_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rooms:room", kwargs={"slug": self.slug})

    def get_socket_url(self) -> str:
        return reverse("room-socket", kwargs={"slug": self.slug}, urlconf="rooms.sockets.routing")

    @property
    def group_name(self) -> str:
        return room_group(self.pk)

    @property
    def is_direct(self) -> bool:
        return self.kind == self.Kind.DIRECT

    def title_for(self, viewer: User) -> str:
        """What `viewer` calls the room: its name, or for a direct conversation the other people in it, as
        each of them sees it (its `members`, prefetched where there are many)."""
        if not self.is_direct:
            return self.name
        others = [member.display_name for member in self.members.all() if member.pk != viewer.pk]
        return ", ".join(sorted(others)) or self.name


class Membership(models.Model):
    class Notify(models.TextChoices):
        """What of a room counts as news for one member: in the lists of rooms, and to their screen reader."""

        ALL = "all", _("Every new message")
        MENTIONS = "mentions", _("Only messages that mention me")
        NONE = "none", _("Nothing")

    room = models.ForeignKey(Room, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Room admins rename the room, change its kind and its description, add and remove members and admins.
    is_admin = models.BooleanField(_("admin"), default=False)
    # The place (Message.seq) of the newest message this member has read here: what comes after it is
    # unread (rooms/people/unread.py). Moved on by opening the room and, with JavaScript, by reading.
    last_read_seq = models.PositiveBigIntegerField(default=0)
    notify = models.CharField(_("notify me of"), max_length=10, choices=Notify.choices, default=Notify.ALL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_membership_per_user_and_room")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"

"""Rooms and who belongs to them."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rooms.events import room_group
from rooms.models.people import User

ROOM_NAME_MAX_LENGTH = 100


class Room(models.Model):
    # The name is shown exactly as its creator typed it; the slug, derived
    # from it, is the room's address and what makes two names the same room.
    name = models.CharField(_("name"), max_length=ROOM_NAME_MAX_LENGTH)
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


class Membership(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_membership_per_user_and_room")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"

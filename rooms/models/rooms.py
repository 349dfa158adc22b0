from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 4000
ROOM_NAME_MAX_LENGTH = 100
DISPLAY_NAME_MAX_LENGTH = 50


class User(AbstractUser):
    class Announce(models.TextChoices):
        """What a screen reader is told of other people's new messages (see static/js/announcer.js)."""

        ALL = "all", _("Every new message")
        MENTIONS = "mentions", _("Only messages that mention me")
        NONE = "none", _("Nothing")

    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    announce = models.CharField(
        _("announce new messages"), max_length=10, choices=Announce.choices, default=Announce.ALL
    )

    def __str__(self) -> str:
        return self.display_name or self.username


class Room(models.Model):
    # The name is shown exactly as its creator typed it; the slug, derived
    # from it, is the room's address and what makes two names the same room.
    name = models.CharField(_("name"), max_length=ROOM_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=ROOM_NAME_MAX_LENGTH, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The sequence number of the room's newest message. Messages are numbered
    # 1, 2, 3... per room, under a lock on this row, so that numbering order is
    # commit order and a page can tell a missed message from one not yet sent.
    last_seq = models.PositiveBigIntegerField(default=0)
    members = models.ManyToManyField(User, through="Membership", related_name="rooms")

    class Meta:
        ordering = ["-last_activity_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rooms:room", kwargs={"slug": self.slug})

    def get_socket_url(self) -> str:
        return reverse("room-socket", kwargs={"slug": self.slug}, urlconf="rooms.routing")

    @property
    def group_name(self) -> str:
        # From the key, never from the slug (DESIGN.md §4).
        return f"room-{self.pk}"


class Membership(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_membership_per_user_and_room")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="messages")
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField()
    seq = models.PositiveBigIntegerField()
    # Chosen by the sender's page for each message it composes, so that a
    # frame sent twice (a double click, a replay after a reconnect) is stored once.
    client_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            # Also the index for history pages and catch-up: "the messages of a room after/before n".
            models.UniqueConstraint(fields=["room", "seq"], name="one_message_per_room_and_seq"),
            models.UniqueConstraint(fields=["author", "client_id"], name="one_message_per_client_id"),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"

    @property
    def dom_id(self) -> str:
        """Stable across renders, so that a repeated fragment replaces rather than duplicates (DESIGN.md §2)."""
        return f"message-{self.pk}"

"""What is said in a room, numbered in the room's order."""

from django.db import models

from rooms.models.people import User
from rooms.models.rooms import Room

MESSAGE_MAX_LENGTH = 4000


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

"""What is said in a room: each message in its place, as it reads now, and the words it had before."""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.models.people import User
from rooms.models.rooms import Room

if TYPE_CHECKING:
    from rooms.models.attachments import Attachment

MESSAGE_MAX_LENGTH = 4000


class Message(models.Model):
    """One message. Every change to it takes the room's next change number (DESIGN.md §2).

    `seq` is the number of its creation, its place in the log for good;
    `last_change` the number of its newest change (its creation, an edit, its
    deletion), which tells a page coming back what changed while it was away.
    A deleted message stays as a row without its text (a tombstone), so that
    such a page learns that it is gone.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="messages")
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    # The text as safe HTML (rooms/messages/formatting.py), rendered once when it is written.
    body_html = models.TextField(blank=True, editable=False)
    # What that HTML reads as, without its marks (formatting.as_read): what search indexes and quotes.
    body_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField()
    seq = models.PositiveBigIntegerField()
    last_change = models.PositiveBigIntegerField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Who the text names with @username, worked out when it is written (rooms/messages/mentions.py),
    # so that pages read it from the markup rather than guess (DESIGN.md §3).
    mentions = models.ManyToManyField(User, related_name="mentioned_in", blank=True)
    # Chosen by the sender's page for each message it composes, so that a
    # frame sent twice (a double click, a replay after a reconnect) is stored once.
    client_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            # Also the index for history pages: "the messages of a room after/before n".
            models.UniqueConstraint(fields=["room", "seq"], name="one_message_per_room_and_seq"),
            # Also the index for catch-up: "what changed in a room after n". A change number is
            # the newest change of one message at most.
            models.UniqueConstraint(fields=["room", "last_change"], name="one_message_per_room_and_last_change"),
            models.UniqueConstraint(fields=["author", "client_id"], name="one_message_per_client_id"),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"

    @property
    def dom_id(self) -> str:
        """Stable across renders, so that a repeated fragment replaces rather than duplicates (DESIGN.md §2)."""
        return f"message-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def attached(self) -> "Attachment | None":
        """Its attachment, or None: from the join of the queries that show messages (select_related), else read."""
        try:
            return self.attachment
        except ObjectDoesNotExist:
            return None

    @cached_property
    def mentioned_ids(self) -> list[int]:
        """Who the text mentions; set when it is written, else read (prefetched, in history and catch-up)."""
        return [user.pk for user in self.mentions.all()]

    @cached_property
    def reaction_groups(self) -> list["ReactionGroup"]:
        """Its reactions by emoji, in the order each emoji was first given, each with who gave it in the order
        they did; from the reactions prefetched with their people (history, catch-up, reacting), else read."""
        if self.last_change == self.seq:
            return []  # unchanged since it was posted, so no reaction yet (each is a change): no query
        prefetched = "reactions" in getattr(self, "_prefetched_objects_cache", {})
        reactions = self.reactions.all() if prefetched else self.reactions.select_related("user")
        groups: dict[str, ReactionGroup] = {}
        for reaction in sorted(reactions, key=lambda reaction: (reaction.created_at, reaction.pk)):
            groups.setdefault(reaction.emoji, ReactionGroup(emoji=reaction.emoji, reactors=[])).reactors.append(
                reaction.user
            )
        return list(groups.values())


class MessageVersion(models.Model):
    """What a message said before an edit: its history page lists these. Deleted with the message's text."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="earlier_versions")
    body = models.TextField(_("text"), max_length=MESSAGE_MAX_LENGTH)
    written_at = models.DateTimeField()  # when this text was posted, or saved by an earlier edit
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.message_id} before {self.replaced_at}: {self.body[:40]}"


# The longest emoji is a sequence of several code points (a family joined with ZWJ, a flag spelt in tags).
REACTION_MAX_LENGTH = 32


class Reaction(models.Model):
    """One person's emoji on a message, once per emoji. Adding or removing one is a change of the message's
    room, numbered like an edit (rooms/messages/reacting.py), so pages away at the time catch up on it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reactions")
    emoji = models.CharField(max_length=REACTION_MAX_LENGTH)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="one_reaction_per_person_and_emoji"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.emoji} on {self.message_id}"


@dataclass(frozen=True)
class ReactionGroup:
    """One emoji on a message and who gave it, as a message shows it."""

    emoji: str
    reactors: list[User]

    @property
    def count(self) -> int:
        return len(self.reactors)

    @property
    def reactor_ids(self) -> str:
        """For the markup (data-reactor-ids), where each page finds its reader's own (DESIGN.md §3)."""
        return " ".join(str(user.pk) for user in self.reactors)

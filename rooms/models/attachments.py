"""A file or an image carried by a message: stored through Django's storage API, served to the room's readers alone."""

import uuid
from typing import Any

from django.db import models

from rooms.models.messages import Message

ATTACHMENT_NAME_MAX_LENGTH = 200
ALT_TEXT_MAX_LENGTH = 500


def stored_name(attachment: "Attachment", filename: str) -> str:
    """A name of ours on the storage (never the sender's): random, with the extension of what the file is."""
    extension = filename.rsplit(".", 1)[-1]
    return f"attachments/{uuid.uuid4().hex}.{extension}"


def thumbnail_name(attachment: "Attachment", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1]
    return f"thumbnails/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """One message's one file. Its type is what its content is (rooms/messages/file_types.py), and its name
    the sender's, made safe, with that type's extension. An image has alt text, and a thumbnail once the
    task that makes it has run (rooms/messages/thumbnails.py), which is a change of the message; or, when
    none could be made, a link to it by its alt text, which is a change too."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="attachment")
    file = models.FileField(upload_to=stored_name, max_length=255)
    name = models.CharField(max_length=ATTACHMENT_NAME_MAX_LENGTH)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    alt_text = models.CharField(max_length=ALT_TEXT_MAX_LENGTH, blank=True)
    # An image's size, upright (stored turned as its EXIF orientation said, its metadata gone:
    # rooms/messages/metadata.py); None for other files.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.FileField(upload_to=thumbnail_name, max_length=255, blank=True)
    thumbnail_width = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_height = models.PositiveIntegerField(null=True, blank=True)
    # The task could not make a thumbnail (rooms/messages/thumbnails.py): the image is shown as a link.
    thumbnail_failed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.content_type}) on {self.message_id}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def kind(self) -> str:
        """What the file is, for people: its extension in capitals (PNG, PDF, TXT)."""
        return self.name.rsplit(".", 1)[-1].upper()

    @property
    def thumbnail_type(self) -> str:
        """A thumbnail is a JPEG of a JPEG, else a PNG (rooms/messages/thumbnails.py)."""
        return "image/jpeg" if str(self.thumbnail.name).endswith(".jpg") else "image/png"

    def stored_files(self) -> list[str]:
        """The names on the storage of its file and its thumbnail."""
        return [name for name in (self.file.name, self.thumbnail.name) if name]

    def delete_files(self, **_kwargs: Any) -> None:
        """Its file and its thumbnail gone from the storage (after the row, on commit: rooms/signals.py)."""
        for name in self.stored_files():
            self.file.storage.delete(name)

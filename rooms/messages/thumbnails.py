"""An image's thumbnail, made by a task once its message is committed (Django's tasks framework).

The thumbnail fits a box of THUMBNAIL_BOX pixels, is turned upright as the
image's EXIF orientation says (the stored original is upright already, its
metadata removed: rooms/messages/metadata.py), and carries no EXIF. Adding it is a change of the
message, numbered like an edit (DESIGN.md §2): every open page replaces the
message, which now shows its thumbnail, and a page away at the time catches up.
A thumbnail that cannot be made (a file Pillow checked but cannot draw) is a
change too: the message shows the image as a link, by its alt text and size.
With the default backend (settings.TASKS) the task runs at once, in the process
that posted the image, after the message's own change is published.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.tasks import task
from PIL import Image, ImageOps

from rooms import access
from rooms.messages.changes import make_change
from rooms.messages.history import shown_messages
from rooms.models import Attachment, Message

logger = logging.getLogger(__name__)

THUMBNAIL_BOX = (480, 480)


def render_thumbnail(attachment: Attachment) -> tuple[bytes, str, int, int, int, int]:
    """The thumbnail's bytes and extension, its size, and the image's size upright."""
    with attachment.file.open("rb") as file, Image.open(file) as image:
        upright = ImageOps.exif_transpose(image)
        width, height = upright.size
        upright.thumbnail(THUMBNAIL_BOX)
        output = BytesIO()
        if image.format == "JPEG":
            upright.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
            extension = "jpg"
        else:  # PNG, GIF (its first frame), WebP: lossless, transparency kept
            if upright.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
                upright = upright.convert("RGBA")
            upright.save(output, "PNG", optimize=True)
            extension = "png"
        thumbnail_width, thumbnail_height = upright.size
    return output.getvalue(), extension, thumbnail_width, thumbnail_height, width, height


@task
def make_thumbnail(attachment_id: int) -> None:
    """Give the image `attachment_id` its thumbnail, as a change of its message; nothing if it has one
    already (or none could be made), or its message was deleted in the meantime. When none can be made
    (a file Pillow checked but cannot draw), that is the change: the message shows the image as a link."""
    attachment = Attachment.objects.select_related("message__room").filter(pk=attachment_id).first()
    if attachment is None or attachment.thumbnail or attachment.thumbnail_failed:
        return
    try:
        content, extension, thumbnail_width, thumbnail_height, width, height = render_thumbnail(attachment)
    except Exception:  # whatever Pillow raises of a file it cannot draw: never "Preparing" for ever
        logger.warning("no thumbnail could be made of attachment %s", attachment_id, exc_info=True)

        def failed(stored: list[str]) -> list[str]:
            attachment.thumbnail_failed = True
            return ["thumbnail_failed"]

        change_attachment(attachment, failed)
        return

    def made(stored: list[str]) -> list[str]:
        attachment.thumbnail.save(f"thumbnail.{extension}", ContentFile(content), save=False)
        stored.append(str(attachment.thumbnail.name))
        attachment.thumbnail_width, attachment.thumbnail_height = thumbnail_width, thumbnail_height
        attachment.width, attachment.height = width, height
        return ["thumbnail", "thumbnail_width", "thumbnail_height", "width", "height"]

    change_attachment(attachment, made)


def change_attachment(attachment: Attachment, update: Callable[[list[str]], list[str]]) -> None:
    """`update` the attachment (it names the files it stored, and returns the fields it set) as a numbered
    change of its message, on the skeleton every change shares; nothing if its message was deleted."""
    message_id, room = attachment.message_id, attachment.message.room

    def save(change: int, now: datetime) -> Message:
        attachment.save(update_fields=update(stored))
        Message.objects.filter(pk=message_id).update(last_change=change)
        message = shown_messages(room).get(pk=message_id)
        message.room = room
        return message

    def allowed() -> QuerySet[Message]:
        return access.messages_still_shown().filter(pk=message_id, room=room)

    stored: list[str] = []
    try:
        made = make_change(room, allowed=allowed, save=save)
    except BaseException:
        for name in stored:
            attachment.thumbnail.storage.delete(name)
        raise
    if made is None:
        logger.info("attachment %s unchanged: its message %s was deleted", attachment.pk, message_id)

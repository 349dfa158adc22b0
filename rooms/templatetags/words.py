"""`{% word "key" %}`: one of the chat's words in a message (rooms/messages/words.py)."""

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from rooms.messages import words
from rooms.models import Attachment

register = template.Library()


@register.simple_tag(takes_context=True)
def word(context: Context, key: str) -> SafeString:
    return words.phrase(key, later=bool(context.get(words.LATER)))


@register.simple_tag(takes_context=True)
def file_details(context: Context, attachment: Attachment) -> SafeString:
    """What a file is and how large, in words: "PDF document, 1.2 MB"."""
    later = bool(context.get(words.LATER))
    if attachment.is_image:
        kind = words.phrase("image-kind", later=later, format=attachment.kind)
    else:
        kind = words.phrase("pdf-kind" if attachment.content_type == "application/pdf" else "text-kind", later=later)
    return words.phrase("file-details", later=later, kind=kind, size=file_size(attachment.size, later=later))


def file_size(size: int, *, later: bool) -> SafeString:
    """A size in bytes, KB or MB (of 1024), one decimal beyond a kilobyte; the digits are the same in every language."""
    if size < 1024:
        return words.phrase("size-bytes", later=later, n=str(size))
    if size < 1024 * 1024:
        return words.phrase("size-kb", later=later, n=f"{size / 1024:.1f}")
    return words.phrase("size-mb", later=later, n=f"{size / 1024 / 1024:.1f}")

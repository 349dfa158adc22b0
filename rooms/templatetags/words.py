"""`{% word "key" %}`: one of the chat's words in a message (rooms/messages/words.py)."""

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from rooms.messages import words

register = template.Library()


@register.simple_tag(takes_context=True)
def word(context: Context, key: str) -> SafeString:
    # Escaped already (words.word); a marker holds only a key.
    return mark_safe(words.marker(key) if context.get(words.LATER) else words.word(key))  # noqa: S308

"""`{% word "key" %}`: one of the chat's words in a message (rooms/messages/words.py)."""

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from rooms.messages import words

register = template.Library()


@register.simple_tag(takes_context=True)
def word(context: Context, key: str) -> SafeString:
    return words.phrase(key, later=bool(context.get(words.LATER)))

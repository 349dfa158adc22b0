"""How a message's reactions read: who gave each one, in words, with "you" for the reader where it is theirs.

A frame for everybody has no reader (DESIGN.md §3): it names everyone, and
static/js/reactions.js puts "you" in each page. A page served to its reader
says it already, so that it reads right without JavaScript.
"""

import functools
from typing import Any

from django import template
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from rooms.models import ReactionGroup

register = template.Library()

# Beside every message, first in the picker; any other single emoji is typed or pasted.
QUICK_REACTIONS = ("👍", "❤️", "😂", "🎉", "👀")


@register.simple_tag
def quick_reaction_buttons() -> SafeString:
    """The quick reactions' buttons, the same in every message: made once per language, not once per message."""
    return _quick_reaction_buttons(get_language())


@functools.cache
def _quick_reaction_buttons(language: str) -> SafeString:
    with translation.override(language):
        return format_html_join(
            "",
            '<button name="emoji" value="{}" aria-label="{}">{}</button>',
            ((emoji, _("React with %(emoji)s") % {"emoji": emoji}, emoji) for emoji in QUICK_REACTIONS),
        )


@register.filter
def given_by(group: ReactionGroup, viewer_id: Any) -> bool:
    return any(user.pk == viewer_id for user in group.reactors)


@register.simple_tag
def reaction_label(group: ReactionGroup, viewer_id: Any = None) -> SafeString:
    """ "3 people reacted with 👍: Ana, Ben and you": each name isolated, and marked with its id for the script."""
    others = [user for user in group.reactors if user.pk != viewer_id]
    names = [format_html('<bdi data-reactor-id="{}">{}</bdi>', user.pk, user.display_name) for user in others]
    if len(others) < group.count:
        names.append(format_html('<span data-reactor-id="{}">{}</span>', viewer_id, _("you")))
    sentence = ngettext(
        "{count} person reacted with {emoji}: {names}", "{count} people reacted with {emoji}: {names}", group.count
    )
    return format_html(
        sentence,
        count=group.count,
        emoji=group.emoji,
        names=format_html('<span class="reactor-names">{}</span>', join_names(names)),
    )


def join_names(names: list[SafeString]) -> SafeString:
    """ "Ana", "Ana and Ben", "Ana, Ben and Cat" (the script joins them the same way, from data-text-and)."""
    if len(names) < 2:
        return format_html_join("", "{}", ((name,) for name in names))
    first = SafeString(", ".join(names[:-1]))
    return format_html(_("{names} and {last}"), names=first, last=names[-1])

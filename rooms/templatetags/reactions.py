"""How a message's reactions read: who gave each one, in words, with "you" for the reader where it is theirs.

A frame for everybody has no reader (DESIGN.md §3): it names everyone, and
static/js/reactions.js puts "you" in each page. A page served to its reader
says it already, so that it reads right without JavaScript.
"""

import functools
from types import SimpleNamespace
from typing import Any

from django import template
from django.dispatch import receiver
from django.template.context import Context
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from rooms.messages import words
from rooms.models import ReactionGroup

register = template.Library()

# Beside every message, first in the picker; any other single emoji is typed or pasted.
QUICK_REACTIONS = ("👍", "❤️", "😂", "🎉", "👀")


@register.simple_tag(takes_context=True)
def quick_reaction_buttons(context: Context) -> SafeString:
    """The quick reactions' buttons, the same in every message: made once per language (or with markers, for a
    frame), not once per message."""
    later = bool(context.get(words.LATER))
    return _quick_reaction_buttons(None if later else get_language())


@functools.cache
def _quick_reaction_buttons(language: str | None) -> SafeString:
    with translation.override(language):
        return format_html_join(
            "",
            '<button name="emoji" value="{}" aria-label="{}">{}</button>',
            (
                (emoji, words.phrase("react-with", later=language is None, emoji=escape(emoji)), emoji)
                for emoji in QUICK_REACTIONS
            ),
        )


# The picker is the same in every message but for the message's address, id and the form's CSRF token: it
# is rendered once per language (and once with markers, for a frame) with these in their places, and the
# message's own put in per message, where a render cost a fifth of the message's (bench/README.md). The
# partial must therefore read nothing else of the message; tests/messages/test_broadcast.py compares the
# kept picker with a fresh render of it, for every language, in a page and in a frame.
_PICKER_URL = "/picker-address-0000000000/"
_PICKER_PK = "8888888888"
_PICKER_CSRF = "picker-csrf-token-0000000000"


@register.simple_tag(takes_context=True)
def reaction_picker(context: Context) -> SafeString:
    """ "Add reaction" for this message (templates/rooms/reactions.html#reaction-picker); nothing for a reader
    who may not write."""
    if context.get("is_member") is False:
        return SafeString("")
    later = bool(context.get(words.LATER))
    csrf_token = context.get("csrf_token")
    message = context["message"]
    html = _kept_picker(None if later else get_language(), with_csrf=bool(csrf_token)).replace(
        _PICKER_PK, str(message.pk)
    )
    if csrf_token:
        html = html.replace(_PICKER_CSRF, str(escape(csrf_token)))
    # The address last, so that nothing in it (a room's name, a long id) is taken for a stand-in.
    return SafeString(html.replace(_PICKER_URL, str(escape(context["message_url"]))))


@functools.cache
def _kept_picker(language: str | None, *, with_csrf: bool) -> str:
    stand_in = SimpleNamespace(pk=_PICKER_PK, dom_id=f"message-{_PICKER_PK}")
    context = {"message": stand_in, "message_url": _PICKER_URL, words.LATER: language is None}
    if with_csrf:
        context["csrf_token"] = _PICKER_CSRF
    with translation.override(language):
        return render_to_string("rooms/reactions.html#reaction-picker", context)


@receiver(file_changed)
def forget_kept_markup(**kwargs: Any) -> None:
    """Under the development server, a template changed: render the kept parts again."""
    _kept_picker.cache_clear()
    _quick_reaction_buttons.cache_clear()


@register.filter
def given_by(group: ReactionGroup, viewer_id: Any) -> bool:
    return any(user.pk == viewer_id for user in group.reactors)


@register.simple_tag(takes_context=True)
def reaction_label(context: Context, group: ReactionGroup, viewer_id: Any = None) -> SafeString:
    """ "3 people reacted with 👍: Ana, Ben and you": each name isolated, and marked with its id for the script."""
    later = bool(context.get(words.LATER))
    others = [user for user in group.reactors if user.pk != viewer_id]
    names = [format_html('<bdi data-reactor-id="{}">{}</bdi>', user.pk, user.display_name) for user in others]
    if len(others) < group.count:
        names.append(format_html('<span data-reactor-id="{}">{}</span>', viewer_id, words.phrase("you", later=later)))
    return words.phrase(
        "reacted-one" if group.count == 1 else "reacted-many",
        later=later,
        count=str(group.count),
        emoji=escape(group.emoji),
        names=format_html('<span class="reactor-names">{}</span>', join_names(names, later=later)),
    )


def join_names(names: list[SafeString], *, later: bool = False) -> SafeString:
    """ "Ana", "Ana and Ben", "Ana, Ben and Cat" (the script joins them the same way, from data-text-and)."""
    if len(names) < 2:
        return format_html_join("", "{}", ((name,) for name in names))
    return words.phrase("names-and-last", later=later, names=", ".join(names[:-1]), last=names[-1])

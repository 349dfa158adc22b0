"""The chat's own words in a message's markup, so that a change is rendered once for every language.

A message shows a few words of ours around the author's ("Edit", "(edited)",
"This message was deleted."). A broadcast renders the message once, with a
marker where each of these words goes, and fills the markers in per language
(fill): a string substitution, where a render per language cost as much again
as the first render (bench/README.md). A page's own render (the room, catch-up,
an htmx answer) writes the words straight away: it has one reader.

Templates write `{% word "edit" %}` (rooms/templatetags/words.py); a word is
added here, where makemessages finds it. A word may have places for values
("{names} and {last}"): `phrase` fills them with HTML made by the caller, and a
marker carries that HTML until the word is known, markers of other words in it
included.
"""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

WORDS = {
    "edited": gettext_noop("(edited)"),
    "deleted": gettext_noop("This message was deleted."),
    "mentions-you": gettext_noop("Mentions you"),
    "copy-link": gettext_noop("Copy link"),
    "edit": gettext_noop("Edit"),
    "delete": gettext_noop("Delete"),
    "confirm-delete": gettext_noop("Delete this message? This cannot be undone."),
    # Reactions (templates/rooms/reactions.html, rooms/templatetags/reactions.py)
    "add-reaction": gettext_noop("Add reaction"),
    "any-emoji": gettext_noop("Any emoji"),
    "react": gettext_noop("React"),
    "react-with": gettext_noop("React with {emoji}"),
    "you": gettext_noop("you"),
    "names-and-last": gettext_noop("{names} and {last}"),
    # A word has no plural forms: one for a single person, one for more (Korean has one form for both).
    "reacted-one": gettext_noop("1 person reacted with {emoji}: {names}"),
    "reacted-many": gettext_noop("{count} people reacted with {emoji}: {names}"),
    # Attachments (room.html#attachment, rooms/templatetags/words.py)
    "preparing-preview": gettext_noop("Preparing a preview…"),
    "image-kind": gettext_noop("{format} image"),
    "pdf-kind": gettext_noop("PDF document"),
    "text-kind": gettext_noop("Text file"),
    "file-details": gettext_noop("{kind}, {size}"),
    "size-bytes": gettext_noop("{n} bytes"),
    "size-kb": gettext_noop("{n} KB"),
    "size-mb": gettext_noop("{n} MB"),
}

# A marker: NUL, the word's key, each value (\x01 name \x02 HTML), then \x03. NUL starts every marker, and
# no text of a person's holds one (forms refuse it), so a marker is never theirs. This finds the innermost
# ones: a value that holds a marker is filled once that marker is.
START, VALUE, IS, END = "\x00", "\x01", "\x02", "\x03"
MARKER = re.compile("\x00([a-z-]+)((?:\x01[a-z]+\x02[^\x00\x03]*)*)\x03")
# Most markers have no values: they are filled first, in one pass, from the language's words.
PLAIN_MARKER = re.compile("\x00([a-z-]+)\x03")

# Set in a render's context by a broadcast: leave markers, to be filled per language.
LATER = "words_later"


def marker(key: str, **values: str) -> str:
    if key not in WORDS:
        raise KeyError(f"no word {key!r} in rooms/messages/words.py")
    return START + key + "".join(f"{VALUE}{name}{IS}{html}" for name, html in values.items()) + END


def word(key: str, **values: str) -> SafeString:
    """The word in the active language, escaped for HTML (text or an attribute's value), its places filled
    with `values` (HTML, escaped by the caller)."""
    text = _escaped(key, get_language())
    for name, html in values.items():
        text = text.replace(f"{{{name}}}", html)
    return mark_safe(text)  # noqa: S308 (escaped above; the values are the caller's HTML)


@functools.cache
def _escaped(key: str, language: str | None) -> str:
    """The word in `language` (the active one, passed to key the cache), escaped: the same at every call, and
    asked for a dozen times a message."""
    return str(escape(gettext(WORDS[key])))


def phrase(key: str, *, later: bool, **values: str) -> SafeString:
    """The word now, or its marker for `fill` to put it in later."""
    return mark_safe(marker(key, **values)) if later else word(key, **values)  # noqa: S308


def _filled(found: re.Match[str]) -> str:
    values = dict(part.split(IS, 1) for part in found.group(2).split(VALUE)[1:])
    return word(found.group(1), **values)


def fill(html: str) -> str:
    """`html` with each marker replaced by its word in the active language, innermost first."""
    if START not in html:
        return html
    language = get_language()
    html = PLAIN_MARKER.sub(lambda found: _escaped(found.group(1), language), html)
    while START in html:
        html, count = MARKER.subn(_filled, html)
        if not count:
            raise ValueError("a marker of rooms/messages/words.py was left unended")
    return html

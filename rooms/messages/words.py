"""The chat's own words in a message's markup, so that a change is rendered once for every language.

A message shows a few words of ours around the author's ("Edit", "(edited)",
"This message was deleted."). A broadcast renders the message once, with a
marker where each of these words goes, and fills the markers in per language
(fill): a string substitution, where a render per language cost as much again
as the first render (bench/README.md). A page's own render (the room, catch-up,
an htmx answer) writes the words straight away: it has one reader.

Templates write `{% word "edit" %}` (rooms/templatetags/words.py); a word is
added here, where makemessages finds it.
"""

import re

from django.utils.html import escape
from django.utils.translation import gettext, gettext_noop

WORDS = {
    "edited": gettext_noop("(edited)"),
    "deleted": gettext_noop("This message was deleted."),
    "mentions-you": gettext_noop("Mentions you"),
    "copy-link": gettext_noop("Copy link"),
    "edit": gettext_noop("Edit"),
    "delete": gettext_noop("Delete"),
    "confirm-delete": gettext_noop("Delete this message? This cannot be undone."),
}

# NUL around a word's key: no text of a person's holds NUL (forms refuse it), so a marker is never theirs.
MARKER = re.compile("\x00([a-z-]+)\x00")

# Set in a render's context by a broadcast: leave markers, to be filled per language.
LATER = "words_later"


def marker(key: str) -> str:
    if key not in WORDS:
        raise KeyError(f"no word {key!r} in rooms/messages/words.py")
    return f"\x00{key}\x00"


def word(key: str) -> str:
    """The word in the active language, escaped for HTML (text or an attribute's value)."""
    return escape(gettext(WORDS[key]))


def fill(html: str) -> str:
    """`html` with each marker replaced by its word in the active language."""
    return MARKER.sub(lambda found: word(found.group(1)), html)

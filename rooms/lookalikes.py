"""What a name looks like, for telling names apart that look the same (Unicode TR39's skeleton).

Two names look alike when their skeletons are equal: each character is replaced by
the prototype of its confusable class from Unicode's confusables.txt (Cyrillic a,
U+0430, by Latin a, mathematical bold a by a, 1 and I by l, m by rn), with case folded too: a person
reading names does not take Ana and ana for two people.

The table comes from confusable-homoglyphs (the one django-registration uses). It
keeps each line of confusables.txt in both directions and drops which side was the
prototype; _prototype() recovers it from the table's shape (a prototype never
appears as a source, so a source has one entry and its prototype has one per
source). Where a class has just two members, either serves as its prototype.
"""

import unicodedata
from functools import cache

from confusable_homoglyphs.confusables import confusables_data  # type: ignore[import-untyped]  # untyped

# NFD can make a character the table maps again; three passes reach the fixed point for every table entry.
_PASSES = 3


@cache
def _prototype(char: str) -> str:
    entries = confusables_data.get(char)
    if not entries or len(entries) > 1:
        return char  # unconfusable, or the prototype that many look like
    other = entries[0]["c"]
    if len(other) > 1 or len(confusables_data.get(other, ())) > 1:
        return str(other)  # a source: one entry, its prototype
    return min(char, str(other))  # a class of two


def skeleton(text: str) -> str:
    """The same string for names that look the same (TR39 §4), whatever their case.

    The table is case-sensitive (Greek capital beta is B, its small beta is ß), so the skeleton is taken
    before folding case as well as after. Capital I looks like l, and folding makes it
    i: so i joins their class, or ADMIN and admin would differ.
    """
    folded = _tr39_skeleton(_tr39_skeleton(unicodedata.normalize("NFKC", text)).casefold())
    return folded.replace("i", "l")


def _tr39_skeleton(text: str) -> str:
    result = unicodedata.normalize("NFD", text)
    for _ in range(_PASSES):
        mapped = unicodedata.normalize("NFD", "".join(_prototype(char) for char in result))
        if mapped == result:
            break
        result = mapped
    return result

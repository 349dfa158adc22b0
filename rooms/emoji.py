"""Whether a text is one emoji, as a reaction must be: one picture, however many code points draw it.

The shapes of Unicode's emoji sequences (UTS #51, ED-17): a pictograph with an optional presentation
selector and skin tone, pictographs joined by ZWJ (families, professions), a keycap, a pair of regional
indicators (a flag), and a black flag with tag letters (Scotland's). A pictograph is a symbol ("So") in the
blocks where emoji live, or one of the few older symbols that are emoji too. Python's own Unicode data
decides what is assigned, so an emoji newer than it is refused until Python knows it.
"""

import unicodedata

VARIATION_SELECTOR_16 = "\ufe0f"
ZERO_WIDTH_JOINER = "\u200d"
KEYCAP = "\u20e3"
KEYCAP_BASES = frozenset("0123456789#*")
SKIN_TONES = range(0x1F3FB, 0x1F400)
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
REGIONAL_INDICATORS_CHARS = frozenset(map(chr, REGIONAL_INDICATORS))
BLACK_FLAG = "\U0001f3f4"
TAG_LETTERS = range(0xE0020, 0xE007F)
CANCEL_TAG = "\U000e007f"
# Where emoji live: miscellaneous technical, symbols and dingbats, arrows and the big emoji blocks.
EMOJI_BLOCKS = (
    range(0x2190, 0x2200),
    range(0x2300, 0x2400),
    range(0x25A0, 0x2800),
    range(0x2900, 0x2980),
    range(0x2B00, 0x2C00),
    range(0x1F000, 0x1FB00),
)
# Emoji outside those blocks, or not symbols by category: ©, ®, ‼, ⁉, ™, ℹ, Ⓜ, 〰, 〽, ㊗, ㊙.
OTHER_EMOJI = frozenset("\u00a9\u00ae\u203c\u2049\u2122\u2139\u24c2\u3030\u303d\u3297\u3299")


def is_pictograph(char: str) -> bool:
    if char in OTHER_EMOJI:
        return True
    code = ord(char)
    if code in SKIN_TONES or code in REGIONAL_INDICATORS:
        return False
    return unicodedata.category(char) == "So" and any(code in block for block in EMOJI_BLOCKS)


def is_single_emoji(text: str) -> bool:
    """True for exactly one emoji (👍, ❤️, 👩🏽‍💻, 1️⃣, 🇰🇷, 🏴󠁧󠁢󠁳󠁣󠁴󠁿), False for anything else, text around one included."""
    if not text:
        return False
    if text[0] in REGIONAL_INDICATORS_CHARS:
        return len(text) == 2 and text[1] in REGIONAL_INDICATORS_CHARS
    if text[0] in KEYCAP_BASES:
        return text[1:] in (KEYCAP, VARIATION_SELECTOR_16 + KEYCAP)
    if text[0] == BLACK_FLAG and len(text) > 2 and text[-1] == CANCEL_TAG:
        return all(ord(char) in TAG_LETTERS for char in text[1:-1])
    return all(_is_element(element) for element in text.split(ZERO_WIDTH_JOINER))


def _is_element(element: str) -> bool:
    """One pictograph, then at most a presentation selector and a skin tone (in either order)."""
    if not element or not is_pictograph(element[0]):
        return False
    rest = element[1:]
    tone = next((char for char in rest if ord(char) in SKIN_TONES), "")
    return rest in ("", VARIATION_SELECTOR_16, tone, VARIATION_SELECTOR_16 + tone, tone + VARIATION_SELECTOR_16)

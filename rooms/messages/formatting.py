"""A message's text as HTML: a safe subset of Markdown, rendered once when it is saved (#14, DESIGN.md §3).

markdown-it-py's `js-default` preset (CommonMark, raw HTML off: the default preset lets it through),
with strikethrough, line breaks kept as a chat's (`breaks`), and bare URLs linked (linkify-it-py). What
comes out is cleaned again by nh3 against a tight allow-list, so that nothing Markdown can be coaxed into
reaches a page: no other tag, no attribute but a link's address (http, https or mailto only: not
`javascript:`, `vbscript:`, `data:` or `file:`), no `id`, `name`, `class` or `style` from users, and every
link `rel="nofollow noopener ugc"`. The HTML is stored beside the text, so no page and no broadcast parses
Markdown again; the text is what is edited.
"""

import html
import re
from typing import NamedTuple

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

# What every link linkify-it finds holds: the slashes of http://, https://, ftp:// and protocol-relative
# links, "mailto:", a domain's dot before the letters of its top-level part (or an address's digits), an
# email's at sign. "3:40", "and/or" or "lunch." hold none of them, and have no link.
LINK_NEEDS = re.compile(r"\.\w|//|@|mailto:", re.IGNORECASE)


class LinkifyWhereALinkCanBe(LinkifyIt):
    """linkify-it-py, asked only about text that holds what every link needs (LINK_NEEDS).

    Markdown asks it about the message whole (pretest) and then about each run of text between the
    marks (`**`, backticks...), and linkify-it answers with long regular expressions (every top-level
    domain, any script's letters) that cost tens of microseconds each even where there is no link:
    more than the rest of the parse (bench/README.md). The whole is asked only whether it may hold a
    link (a pretest may say yes wrongly, never no); each run, where a link could be, is asked of
    linkify-it itself. tests/messages/test_formatting.py checks that both ways find the same links.
    """

    def pretest(self, text: str) -> bool:
        return LINK_NEEDS.search(text) is not None

    def test(self, text: str) -> bool:
        return LINK_NEEDS.search(text) is not None and bool(super().test(text))


# What markdown-it's link normalisers give back as it was given: ASCII letters and digits and the characters
# mdurl does not escape, with no escape already in it (no "%") and no punycode label ("xn--").
UNCHANGED_LINK = re.compile(r"[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]*")


def unchanged_by_normalising(url: str) -> bool:
    return UNCHANGED_LINK.fullmatch(url) is not None and "xn--" not in url.lower()


class MarkdownForMessages(MarkdownIt):
    """markdown-it, which leaves alone a link its normalisers would give back unchanged.

    For every link it finds, markdown-it parses the address twice with mdurl, recodes the host with
    punycode and percent-codes or decodes the whole: about a sixth of a formatted message's parse
    (bench/README.md), though most addresses people paste are plain ASCII that none of it changes.
    Those are passed as they are; any other goes the whole way. tests/messages/test_formatting.py
    checks that both ways make the same HTML. What is passed is still validated (`validateLink`).
    """

    def normalizeLink(self, url: str) -> str:
        return url if unchanged_by_normalising(url) else super().normalizeLink(url)

    def normalizeLinkText(self, link: str) -> str:
        return link if unchanged_by_normalising(link) else super().normalizeLinkText(link)


def markdown_parser(kind: type[MarkdownIt] = MarkdownIt) -> MarkdownIt:
    """markdown-it as messages use it, stock (the tests compare against it) unless `kind` says otherwise,
    with linkify-it-py's own LinkifyIt."""
    parser = kind("js-default", {"linkify": True, "breaks": True, "typographer": False}).enable(
        ["linkify", "strikethrough"]
    )
    # Headings and images are not a chat's: shown as the text that was typed.
    parser.disable(["heading", "lheading", "image", "hr", "table"])
    return parser


_markdown = markdown_parser(MarkdownForMessages)
_markdown.linkify = LinkifyWhereALinkCanBe()

ALLOWED_TAGS = {"p", "br", "em", "strong", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Made once: nh3.clean() builds the same cleaner again for every call, half its cost.
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="nofollow noopener ugc",
    strip_comments=True,
)

# Text that Markdown leaves as it is: one line of letters and digits (any script's), with spaces and the
# punctuation of prose after the first (, ' ? ! - . : ; ( ) / % +), that does not start as an ordered list
# does ("1. ", "2)") and holds nothing a link needs (LINK_NEEDS). Nothing here opens emphasis, code, a link
# (parentheses make one only after brackets), a list (a dash or plus only at the start, before a space) or a
# quote, nothing needs escaping (no &, <, > or "), and the line starts with a letter or digit and ends
# without a space, so there is none to trim. Most chat lines are such prose ("sounds good, see you at 3."),
# and skip a parse that costs more than the rest of posting them (bench/README.md).
# tests/messages/test_formatting.py checks that both ways agree.
PROSE = re.compile(r"[^\W_](?:[^\W_]|[ ,'?!\-.:;()/%+])*(?<! )")
ORDERED_LIST_START = re.compile(r"\d{1,9}[.)](?: |$)")


def is_plain(text: str) -> bool:
    """Whether Markdown and the cleaner would give back `text` as it is, in a paragraph."""
    return (
        PROSE.fullmatch(text) is not None and ORDERED_LIST_START.match(text) is None and LINK_NEEDS.search(text) is None
    )


def render(text: str) -> str:
    """The text as safe HTML; empty for empty text."""
    if not text:
        return ""
    if is_plain(text):
        return f"<p>{text}</p>"
    return formatted(text)


def formatted(text: str) -> str:
    """The text through Markdown and the cleaner, whatever it holds."""
    return _cleaner.clean(_markdown.render(text)).strip()


# Every tag taken away, its text kept (the rendered HTML has no script or style, whose text it would drop).
_tag_remover = nh3.Cleaner(tags=set(), attributes={}, strip_comments=True)
# Control characters but tab and line breaks: they draw nothing, so they are no part of the text as read
# (and search relies on \x01 being in none, rooms/messages/search.py).
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])


class Rendered(NamedTuple):
    html: str  # Message.body_html
    text: str  # Message.body_text, the HTML as read


def rendered(text: str) -> Rendered:
    """The text as safe HTML and as that HTML reads: what posting and editing store beside the text."""
    if is_plain(text):
        return Rendered(f"<p>{text}</p>", text)  # nothing in it is a mark, an entity or a control character
    body_html = render(text)
    return Rendered(body_html, as_read(body_html))


def as_read(body_html: str) -> str:
    """What rendered text reads as, without its marks: "**the plan**, see `notes`" reads "the plan, see notes".

    Search indexes this and quotes it in its snippets (rooms/messages/search.py), rather than the text as
    typed: a snippet is a cut-out of the text, and Markdown cut short (an emphasis opened, a link's address
    without its brackets) cannot be rendered again. Blocks stay apart: markdown-it puts a line break
    between them, and a <br> is followed by one.
    """
    return html.unescape(_tag_remover.clean(body_html)).translate(_CONTROLS).strip()

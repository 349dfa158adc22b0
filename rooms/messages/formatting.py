"""A message's text as HTML: a safe subset of Markdown, rendered once when it is saved (#14, DESIGN.md §3).

markdown-it-py's `js-default` preset (CommonMark, raw HTML off: the default preset lets it through),
with strikethrough, line breaks kept as a chat's (`breaks`), and bare URLs linked (linkify-it-py). What
comes out is cleaned again by nh3 against a tight allow-list, so that nothing Markdown can be coaxed into
reaches a page: no other tag, no attribute but a link's address (http, https or mailto only: not
`javascript:`, `vbscript:`, `data:` or `file:`), no `id`, `name`, `class` or `style` from users, and every
link `rel="nofollow noopener ugc"`. The HTML is stored beside the text, so no page and no broadcast parses
Markdown again; the text is what is edited.
"""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("js-default", {"linkify": True, "breaks": True, "typographer": False}).enable(
    ["linkify", "strikethrough"]
)
# Headings and images are not a chat's: shown as the text that was typed.
_markdown.disable(["heading", "lheading", "image", "hr", "table"])

ALLOWED_TAGS = {"p", "br", "em", "strong", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> str:
    """The text as safe HTML; empty for empty text."""
    if not text:
        return ""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    ).strip()

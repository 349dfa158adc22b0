"""Formatting: a safe subset of Markdown, and nothing else whatever is typed (an XSS corpus)."""

import random
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

from rooms.messages.formatting import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    _cleaner,
    _markdown,
    as_read,
    formatted,
    is_plain,
    markdown_parser,
    render,
    rendered,
    unchanged_by_normalising,
)

CORPUS = [
    "<script>window.__xss = 1</script>",
    "<img src=x onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "[click](&#106;avascript:alert(1))",
    "<javascript:alert(1)>",
    "<https://example.com/ok>",
    "javascript:alert(1)",
    '[a](https://example.com "title" onmouseover=alert(1))',
    "**[nested *em [link](javascript:x)*](https://example.com)**",
    "[x]: javascript:alert(1)\n\n[x]",
    '<p style="color:red" id="message-list">styled</p>',
    "<style>body{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- comment --> text",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<iframe src=https://example.com></iframe>",
    '<div hx-get="/" hx-trigger="load">x</div>',
    "![x](https://example.com/pixel.png)",
    "*" * 4000,
    "[" * 2000 + "]" * 2000,
    "> " * 1000 + "deep",
]


HREF = re.compile(r'href="([^"]*)"')


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("text", CORPUS, ids=[text[:30] for text in CORPUS])
def test_whatever_is_typed_only_allowed_tags_attributes_and_link_schemes_come_out(text: str) -> None:
    for tag, attributes in elements_of(render(text)):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attributes:
            if name == "rel":
                assert (tag, value) == ("a", "nofollow noopener ugc")
                continue
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), (tag, name)
            if name == "href":
                assert value is not None
                assert value.lower().startswith(("http://", "https://", "mailto:")), value


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**strong** _em_ ~~gone~~ `code`", "<p><strong>strong</strong> <em>em</em> <s>gone</s> <code>code</code></p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("```\nx = 1\n```", "<pre><code>x = 1\n</code></pre>"),
        (
            "see https://example.com/a?b=1",
            '<p>see <a href="https://example.com/a?b=1" rel="nofollow noopener ugc">https://example.com/a?b=1</a></p>',
        ),
        ("# not a heading", "<p># not a heading</p>"),
        ("<b>not bold</b>", "<p>&lt;b&gt;not bold&lt;/b&gt;</p>"),
    ],
)
def test_the_subset_people_expect_is_formatted(text: str, html: str) -> None:
    assert render(text) == html


PLAIN_ALPHABET = "aZ9é한글ДжΩ٣ ,'?!-.:;()/%+"
NOT_PLAIN = '_*~@<>&#`[]\\\n"=|'  # so that a shortcut let through too much would be caught
TRICKY_WORDS = [
    *("www", "localhost", "http", "https", "ftp", "mailto", "MAILTO", "xn--p1ai", "javascript", "com", "1", "12"),
    *("1.", "2)", "123456789.", "1234567890.", ".com", ".рф", "//", "://", "e.g.", "3:40", "(c)", "+ ", "- "),
]


def plain_looking_texts() -> list[str]:
    """Lines made of what the fast path lets through, and words that look like the start of a link."""
    chooser = random.Random(14)  # noqa: S311 (the same texts at every run, not a secret)
    texts = [
        "ok",
        "thanks!",
        "sounds good, see you then?",
        "don't",
        "2026-12-01",
        "a - b",
        "a -- b --- c",
        "예 좋아요",
        "Привет, мир!",
        "x",
        "www example com",
        "localhost",
        "1",
        "- a",
        "a ",
        " a",
        "a-",
        "-a",
        "!a",
        "a  b",
        "sounds good, I'll take a look after lunch.",
        "can you check the logs on staging? it failed again at 3:40.",
        "I think it's the cache. Restarting it now...",
        "and/or (maybe) 50% + tax; fine.",
        "1.5 hours",
        "10.",
        "1) first",
        "1. first",
        "2026.",
        "e.g. this",
        "see example.com",
        "see example.",
        "go to localhost:8000/x",
        "x http: y",
        "x //y",
        "mailto:ana",
        "127.0.0.1",
        # One character more each, and Markdown would make something of them:
        "see www.example.com",
        "mail ana@example.com",
        "go https://example.com",
        "x _a_ y",
        "x *a* y",
        "x ~~a~~ y",
        "x `a` y",
        "x &amp; y",
        "x <b> y",
        "a\nb",
    ]
    for _ in range(3000):
        pieces = [
            chooser.choice(TRICKY_WORDS)
            if chooser.random() < 0.3
            else chooser.choice(NOT_PLAIN)
            if chooser.random() < 0.05
            else chooser.choice(PLAIN_ALPHABET)
            for _ in range(chooser.randint(1, 12))
        ]
        texts.append("".join(pieces))
    return texts


def test_a_plain_line_comes_out_as_markdown_would_make_it() -> None:
    """Text that skips Markdown (formatting.is_plain) is the same HTML as stock markdown-it, with linkify-it's
    own LinkifyIt, and the cleaner make of it."""
    stock = markdown_parser()
    shortcut = 0
    for text in plain_looking_texts():
        assert render(text) == _cleaner.clean(stock.render(text)).strip() == formatted(text), text
        shortcut += is_plain(text)
    assert shortcut > 500  # the shortcut was taken, not only the long way


LINK_PIECES = [
    "www.example.com",
    "example.com",
    "https://example.com/a?b=1",
    "//example.org",
    "ftp://files",
    "mailto:ana@example.com",
    "ana@example.com",
    "localhost",
    "localhost:8000",
    "127.0.0.1",
    "xn--p1ai.xn--p1ai",
    "пример.рф",
    "例え.テスト",
    "example。com",
    "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ",
    "a.b",
    # Addresses markdown-it's normalisers change (case kept, escapes, punycode, IPv6, non-ASCII) and do not:
    "HTTPS://EXAMPLE.COM/A_B",
    "https://Example.com/%7Euser",
    "https://example.com/a%20b%zz",
    "<https://xn--p1ai.ru/a>",
    "https://пример.рф/путь",
    "https://example.com/é?q=한",
    "http://[::1]:8000/",
    "https://example.com/a'b(c)*d",
    "https://ex.com/a~b!c$d,e;f=g+h@i#j",
    "https://example.com/?q=a&amp;b",
    "mailto:Ana@Example.COM",
    "[a](https://example.com/x)",
    "[a](//example.org/%zz)",
    "[a](<https://example.com/a b>)",
    '[a](https://example.com/"q")',
    "http",
    "www",
    "com",
    "**",
    "_",
    "`",
    "~~",
    "\n",
    "> ",
    "- ",
    "(",
    ")",
    "[",
    "](",
    "<",
    ">",
]


def test_links_come_out_as_stock_markdown_it_makes_them_where_it_is_asked_less() -> None:
    """formatting.LinkifyWhereALinkCanBe skips text without what a link needs (LINK_NEEDS): no link is lost;
    formatting.MarkdownForMessages passes addresses the normalisers would not change: none comes out otherwise."""
    stock = markdown_parser()
    assert type(stock) is MarkdownIt
    assert type(stock.linkify) is LinkifyIt
    chooser = random.Random(15)  # noqa: S311 (the same texts at every run, not a secret)
    texts = [*LINK_PIECES, *CORPUS]
    for _ in range(3000):
        pieces = [
            chooser.choice(LINK_PIECES) if chooser.random() < 0.4 else chooser.choice(PLAIN_ALPHABET + NOT_PLAIN)
            for _ in range(chooser.randint(1, 10))
        ]
        texts.append("".join(pieces))
    linked = passed = normalised = 0
    for text in texts:
        ours = _markdown.render(text)
        assert ours == stock.render(text), text
        linked += "<a " in ours
        addresses = HREF.findall(ours)
        passed += any(unchanged_by_normalising(unescape(address)) for address in addresses)
        normalised += any(not unchanged_by_normalising(unescape(address)) for address in addresses)
    assert linked > 500  # links were there to be found
    assert passed > 300  # and both ways were taken
    assert normalised > 100


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("sounds good, see you at 3.", "sounds good, see you at 3."),
        ("**the plan**, _soon_, ~~not~~ `code()`", "the plan, soon, not code()"),
        ("[the notes](https://example.com/notes) or https://example.org", "the notes or https://example.org"),
        ("> quoted\n\n- one\n- two", "quoted\n\n\none\ntwo"),
        ("line one\nline two", "line one\nline two"),
        ("<b>typed</b> &amp; &lt;", "<b>typed</b> & <"),  # typed markup is text; an entity is its character
        ("bell\x07 and\x01 tab\tstays", "bell and tab\tstays"),  # a control character draws nothing
        ("", ""),
    ],
)
def test_the_text_as_read_is_the_rendered_words_without_marks(text: str, reads: str) -> None:
    assert as_read(render(text)) == reads
    assert rendered(text) == (render(text), reads), "what posting stores, plain prose by its shortcut"

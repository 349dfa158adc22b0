"""Searching messages: one function over PostgreSQL's full-text search and SQLite's FTS5 (DESIGN.md §4).

A small module of our own rather than a library: what it must get right is where the access rule
joins the index (no hit from a room the reader may not read, none deleted), and how a query typed by a
person becomes one the engine cannot misread. Each word of the query is taken as text, and as the start
of a word ("chat" finds "chatting"; Korean "대화방" finds "대화방에서"): operators, quotes and brackets
are not syntax here, only punctuation, so no query is an error. Hits are ranked by the engine (BM25 on
SQLite, ts_rank on PostgreSQL) and come with a snippet, the words found marked.

Ranking is bounded: the best hits are chosen among the newest CANDIDATES matches the reader may read. A
word found in most messages ("the", and with it then, there, these) used to be ranked in every one of
them, seconds over a million messages on both engines (bench/README.md, "Search"); in a chat the newest
of those are the ones looked for. A query with fewer matches than that, most of them, is ranked whole.

The index follows the message: an edit replaces its words, a deletion (the text emptied) removes them,
earlier versions are never indexed (migration 0008). It holds the text as read, without its Markdown marks
(Message.body_text, migration 0016), so a snippet quotes what the message shows: "**the plan**" is found,
and quoted, as "the plan".
"""

import re
import secrets
from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rooms import access
from rooms.models import Message, Room, User

MAX_HITS = 50
CANDIDATES = 1_000  # the newest matches ranked for the best MAX_HITS (see above)
MAX_WORDS = 8  # a query of more words is cut to its first eight: a sentence pasted in is still a search
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    message: Message
    snippet: SafeString  # escaped text, with <mark> around what was found


def words_of(query: str) -> list[str]:
    return WORD.findall(query.lower())[:MAX_WORDS]


def search(user: User, query: str, *, room: Room | None = None) -> list[Hit]:
    """The best hits for `query` among the messages `user` may read (in `room`, if given), best first."""
    words = words_of(query)
    if not words:
        return []
    readable = access.messages_readable_by(user)
    if room is not None:
        readable = readable.filter(room=room)
    # The access rule, compiled by the ORM, is the index query's own condition (as in the numbering
    # statement, rooms/messages/changes.py): what ranks first is already what the reader may read.
    if connection.vendor != "postgresql":
        # On SQLite, asked of each message MATCH finds (by its primary key), not as the list of every
        # message the reader may read: that list is built whole, a scan of them all, before the first hit
        # (tens of ms over 20,000 messages, bench/search.py), and as "rowid IN (...)" it sent FTS5 one
        # lookup per id, each running the whole MATCH again (seconds).
        readable = readable.filter(pk=RawSQL("rooms_message_fts.rowid", ()))
    rule = readable.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    # Markers no message can contain: the snippet is escaped first, then they become <mark> and </mark>.
    start, stop = f"\x02{secrets.token_hex(8)}\x03", f"\x02{secrets.token_hex(8)}\x04"
    ranked = (_search_postgresql if connection.vendor == "postgresql" else _search_sqlite)(words, rule, start, stop)
    messages = Message.objects.select_related("author", "room").in_bulk([pk for pk, _snippet in ranked])
    # (A hit deleted between the two queries is left out.)
    return [Hit(messages[pk], _marked(snippet, start, stop)) for pk, snippet in ranked if pk in messages]


def _marked(snippet: str, start: str, stop: str) -> SafeString:
    return mark_safe(escape(snippet).replace(escape(start), "<mark>").replace(escape(stop), "</mark>"))  # noqa: S308


Rule = tuple[str, tuple[object, ...] | list[object]]


def _search_sqlite(words: list[str], rule: Rule, start: str, stop: str) -> list[tuple[int, str]]:
    # Each word quoted (FTS5's string syntax: a quote inside doubled) and marked as a prefix.
    match = " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)
    # The rule is correlated (search): EXISTS asks it of each message MATCH finds, once. The inner query
    # finds the oldest of the newest CANDIDATES readable matches (FTS5 walks them newest first, and stops);
    # BM25 and the snippets are worked out for those alone, not for every match.
    rule_sql, rule_params = rule
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, snippet(rooms_message_fts, 0, %s, %s, '…', 16) FROM rooms_message_fts"  # noqa: S608
            f" WHERE rooms_message_fts MATCH %s AND EXISTS ({rule_sql}) AND rowid >= coalesce(("
            "  SELECT rowid FROM rooms_message_fts"
            f"  WHERE rooms_message_fts MATCH %s AND EXISTS ({rule_sql}) ORDER BY rowid DESC LIMIT 1 OFFSET %s"
            " ), 0)"
            " ORDER BY bm25(rooms_message_fts), rowid DESC LIMIT %s",
            [start, stop, match, *rule_params, match, *rule_params, CANDIDATES - 1, MAX_HITS],
        )
        return [(int(pk), str(snippet)) for pk, snippet in cursor.fetchall()]


def _search_postgresql(words: list[str], rule: Rule, start: str, stop: str) -> list[tuple[int, str]]:
    # Words are \w+ only, so each is a plain lexeme; `:*` makes it a prefix, `&` wants them all.
    query = " & ".join(f"{word}:*" for word in words)
    # One stretch of text around what was found: up to MaxWords, and at least MinWords where the message has
    # them, so a short message is quoted whole; ShortWord=0, or words of three letters or fewer would be cut
    # at either end ("The plan", "moved to 10:30"). (Fragments, MaxFragments, drop a number that ends a text.)
    options = f"StartSel={start}, StopSel={stop}, MaxWords=24, MinWords=20, ShortWord=0"
    # ts_headline leaves out what it takes for an HTML tag, and "<b>" typed in a message is text: it is given
    # the text with each "<" as \x01 (which no text as read holds: formatting.as_read), and gives it back.
    rule_sql, rule_params = rule
    # The newest CANDIDATES readable matches, then the best of them by rank, then their snippets: ts_rank
    # parses each text it ranks again, and ts_headline each it shows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ts_headline('simple', replace(body_text, '<', chr(1)), q, %s), body_text FROM ("  # noqa: S608
            " SELECT id, body_text, q, ts_rank(to_tsvector('simple', body_text), q) AS rank FROM ("
            "  SELECT id, body_text, q FROM rooms_message, to_tsquery('simple', %s) AS q"
            f"  WHERE to_tsvector('simple', body_text) @@ q AND id IN ({rule_sql}) ORDER BY id DESC LIMIT %s"
            " ) AS newest ORDER BY rank DESC, id DESC LIMIT %s"
            ") AS best ORDER BY rank DESC, id DESC",
            [options, query, *rule_params, CANDIDATES, MAX_HITS],
        )
        rows = cursor.fetchall()
    return [(int(pk), _cut_shown(str(snippet).replace("\x01", "<"), text, start, stop)) for pk, snippet, text in rows]


def _cut_shown(snippet: str, text: str, start: str, stop: str) -> str:
    """The snippet with "…" where it cuts the text, at either end, as SQLite's snippet() puts it."""
    quoted, text = snippet.replace(start, "").replace(stop, "").strip(), text.strip()
    return f"{'' if text.startswith(quoted) else '…'}{snippet.strip()}{'' if text.endswith(quoted) else '…'}"

"""Search over a room of 1,000,000 messages: how long `rooms.messages.search.search` takes, per kind of query.

`python -m bench.search [--messages 1000000] [--database URL] [--runs 50]` builds a fixture database (or
reuses it, if it was built with that many messages and this generator): an open room of N messages of
varied text, written by 20 people, and a private room of N/100 the reader is not a member of (so the access
rule has something to keep out). The text is a fixed-seed generator over a word list (a few hundred
English words and some thousands of made-up ones, drawn with Zipf-like weights, 3 to 30 words a message),
with a few words planted at known frequencies (PLANTED). Rows go in by executemany, in batches of
BATCH inside a transaction each, through the app's own schema: on SQLite the FTS5 table is filled by the
triggers that fill it for every message posted (rooms/messages/search_index.py); on PostgreSQL the GIN
index is dropped for the load and made again after it by the app's own statement, then the table analysed.

Then it times search(reader, query) across the rooms the reader may read, and search(reader, query,
room=room), for each kind of query in QUERIES, --runs times each after one untimed run (at most
--max-seconds per kind and scope, and never fewer than 5 runs), and prints p50, p95 and max per kind
and the p95 of all of them. The default database is a SQLite file under /tmp named after N.
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench.targets import ROOT

SEED = 14
BATCH = 10_000
AUTHORS = 20
GENERATOR = 3  # bumped when the text or its columns change, so that an older fixture is not reused

# Words planted in the open room, and how often: every `every`-th message (offset `at`) gets `words`.
PLANTED = {
    "meeting": (10, 0, "meeting"),  # a tenth of the messages
    "release candidate": (1_000, 3, "release candidate"),  # a thousandth, the two words together
    "release": (100, 20, "release"),  # a hundredth more "release" alone, all in messages with "meeting"
    "candidate": (200, 9, "candidate"),  # a two-hundredth more "candidate" alone
    "zanzibar": (10_000, 7, "zanzibar"),  # one in ten thousand
}

# What is searched: the kind, and the query as a person would type it.
QUERIES = [
    ("very common word", "the"),
    ("common word", "meeting"),
    ("rare word", "zanzibar"),
    ("two words", "meeting release"),
    ("phrase in quotes", '"release candidate"'),
    ("hostile syntax", '"unbalanced ( OR * -'),
    ("never occurs", "xylophonequartz"),
]

COMMON = [
    "the",
    "be",
    "to",
    "of",
    "and",
    "a",
    "in",
    "that",
    "have",
    "it",
    "for",
    "not",
    "on",
    "with",
    "he",
    "as",
    "you",
    "do",
    "at",
    "this",
    "but",
    "his",
    "by",
    "from",
    "they",
    "we",
    "say",
    "her",
    "she",
    "or",
    "an",
    "will",
    "my",
    "one",
    "all",
    "would",
    "there",
    "their",
    "what",
    "so",
    "up",
    "out",
    "if",
    "about",
    "who",
    "get",
    "which",
    "go",
    "me",
    "when",
    "make",
    "can",
    "like",
    "time",
    "no",
    "just",
    "him",
    "know",
    "take",
    "people",
    "into",
    "year",
    "your",
    "good",
    "some",
    "could",
    "them",
    "see",
    "other",
    "than",
    "then",
    "now",
    "look",
    "only",
    "come",
    "its",
    "over",
    "think",
    "also",
    "back",
    "after",
    "use",
    "two",
    "how",
    "our",
    "work",
    "first",
    "well",
    "way",
    "even",
    "new",
    "want",
    "because",
    "any",
    "these",
    "give",
    "day",
    "most",
    "us",
    "is",
    "are",
    "was",
    "were",
    "been",
    "has",
    "had",
    "did",
    "said",
    "got",
    "made",
    "went",
    "thanks",
    "please",
    "sure",
    "okay",
    "yes",
    "tomorrow",
    "today",
    "later",
    "soon",
    "lunch",
    "coffee",
    "build",
    "test",
    "deploy",
    "server",
    "page",
    "room",
    "message",
    "chat",
    "link",
    "review",
    "fix",
    "bug",
    "issue",
    "branch",
    "merge",
    "ticket",
    "call",
    "notes",
    "plan",
    "design",
    "draft",
    "idea",
    "question",
    "answer",
    "team",
    "week",
    "friday",
    "monday",
    "problem",
    "works",
    "broken",
    "again",
    "still",
    "done",
    "ready",
    "start",
    "stop",
    "wait",
    "check",
    "looks",
    "great",
    "nice",
    "agree",
    "maybe",
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "se",
    "la",
    "no",
    "pe",
    "vi",
    "da",
    "ru",
    "mi",
    "so",
    "te",
    "ha",
    "yo",
    "ne",
    "ki",
    "ba",
    "lu",
    "zo",
    "fe",
    "gi",
    "po",
    "wa",
]
UNUSABLE = "!"  # an unusable password: nobody signs in here
NEVER = {"xylophonequartz", "unbalanced", "zanzibar", "meeting", "release", "candidate"}


def vocabulary(rng: random.Random) -> list[str]:
    """COMMON first (the likeliest), then made-up words of two to four syllables, none a planted word."""
    made: dict[str, None] = {}
    while len(made) < 4_000:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in NEVER and word not in COMMON:
            made[word] = None
    return COMMON + list(made)


def texts(n: int, seed: int = SEED) -> Iterator[str]:
    """n messages, always the same for the same n and seed."""
    rng = random.Random(seed)
    words = vocabulary(random.Random(SEED))
    weights = list(accumulate(1 / (rank + 1) for rank in range(len(words))))
    for i in range(n):
        chosen = rng.choices(words, cum_weights=weights, k=rng.randint(3, 30))
        for every, at, planted in PLANTED.values():
            if i % every == at:
                chosen.insert(rng.randrange(len(chosen) + 1), planted)
        if rng.random() < 0.2:
            chosen[rng.randrange(len(chosen))] += ","
        text = " ".join(chosen)
        text = text[0].upper() + text[1:]
        yield text + ("?" if rng.random() < 0.15 else "")


def marker(n: int) -> str:
    return f"search fixture: {n} messages, seed {SEED}, generator {GENERATOR}, complete"


def prepare(url: str, n: int) -> None:
    """A migrated database at `url` holding the fixture for n, made unless it is there already."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("REDIS_URL", None)
    if url.startswith("postgres"):
        import psycopg
        from psycopg import sql

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not has_fixture(url, n):
                print(f"# {name} holds something else: dropped and made again", flush=True)
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                exists = None
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    else:
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists() and not has_fixture(url, n):
            print(f"# {path} holds something else: removed", flush=True)
            for stale in path.parent.glob(path.name + "*"):
                stale.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def has_fixture(url: str, n: int) -> bool:
    """Whether the database at `url` already holds the complete fixture for n (asked without Django)."""
    query = "SELECT 1 FROM rooms_room WHERE slug = 'search-fixture' AND description = %s"
    try:
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url) as database:
                return database.execute(query, [marker(n)]).fetchone() is not None
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as database:
            return database.execute(query.replace("%s", "?"), [marker(n)]).fetchone() is not None
    except Exception:
        return False


def build(n: int) -> None:
    """The two rooms, their authors and their messages, unless the fixture is there."""
    from django.db import connection, transaction
    from django.utils import timezone

    from rooms.messages.formatting import rendered
    from rooms.messages.search_index import POSTGRESQL_INDEX
    from rooms.models import Membership, Message, Room, User

    if Room.objects.filter(slug="search-fixture", description=marker(n)).exists():
        print(f"# reusing the fixture of {n:,} messages", flush=True)
        return
    started = time.perf_counter()
    authors = User.objects.bulk_create(
        User(username=f"author-{i}", display_name=f"Author {i}", password=UNUSABLE) for i in range(AUTHORS)
    )
    User.objects.create(username="reader", display_name="Reader", password=UNUSABLE)
    room = Room.objects.create(name="Search fixture", slug="search-fixture", kind=Room.Kind.OPEN)
    hidden = Room.objects.create(name="Search fixture, private", slug="search-private", kind=Room.Kind.PRIVATE)
    Membership.objects.bulk_create(Membership(room=r, user=a) for r in (room, hidden) for a in authors)
    table = Message._meta.db_table
    columns = "room_id, author_id, body, body_html, body_text, created_at, seq, last_change"
    insert = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    start_time = timezone.now() - datetime.timedelta(days=365)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS rooms_message_search")
    for target, count in ((room, n), (hidden, max(1, n // 100))):
        bodies = texts(count, SEED if target is room else SEED + 1)
        for start in range(0, count, BATCH):
            rows = []
            for i, body in zip(range(start, min(count, start + BATCH)), bodies, strict=False):
                created = connection.ops.adapt_datetimefield_value(start_time + datetime.timedelta(seconds=i))
                html, text = rendered(body)
                rows.append((target.pk, authors[i % AUTHORS].pk, body, html, text, created, i + 1, i + 1))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert, rows)
            print(f"\r  {target.slug}: {min(count, start + BATCH):,} of {count:,}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        Room.objects.filter(pk=target.pk).update(last_seq=count)
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute(POSTGRESQL_INDEX)
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    Room.objects.filter(pk=room.pk).update(description=marker(n))
    print(
        f"# built {n:,} + {max(1, n // 100):,} messages in {time.perf_counter() - started:.0f} s "
        f"({loaded - started:.0f} s loading, {time.perf_counter() - loaded:.0f} s "
        f"{'making the GIN index and analysing' if postgresql else 'analysing'})",
        flush=True,
    )


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(runs: int, max_seconds: float) -> list[dict[str, Any]]:
    from rooms.messages.search import search
    from rooms.models import Room, User

    reader = User.objects.get(username="reader")
    room = Room.objects.get(slug="search-fixture")
    results = []
    for kind, query in QUERIES:
        for scope, where in (("every room", None), ("in the room", room)):
            hits = len(search(reader, query, room=where))  # untimed: the first run reads the pages in
            times: list[float] = []
            spent = 0.0
            while len(times) < runs and (spent < max_seconds or len(times) < 5):
                start = time.perf_counter()
                search(reader, query, room=where)
                times.append((time.perf_counter() - start) * 1000)
                spent += times[-1] / 1000
            times.sort()
            result = {
                "kind": kind,
                "query": query,
                "scope": scope,
                "hits": hits,
                "runs": len(times),
                "times": times,
                "p50": statistics.median(times),
                "p95": percentile(times, 0.95),
                "max": times[-1],
            }
            results.append(result)
            print(
                f"{kind:17} {scope:11} {query!r:24} {hits:2} hits | {len(times):3} runs: p50 {result['p50']:8.1f} "
                f"p95 {result['p95']:8.1f} max {result['max']:8.1f} ms",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000, help="in the open room (default %(default)s)")
    parser.add_argument(
        "--database", help="a PostgreSQL URL, or sqlite:///PATH (default: sqlite:////tmp/chat-bench-search-N.sqlite3)"
    )
    parser.add_argument("--runs", type=int, default=50, help="timed searches per query and scope (default %(default)s)")
    parser.add_argument(
        "--max-seconds", type=float, default=30.0, help="at most this long per query and scope (default %(default)s)"
    )
    args = parser.parse_args()
    url = args.database or f"sqlite:////tmp/chat-bench-search-{args.messages}.sqlite3"
    print(f"# python -m bench.search {' '.join(sys.argv[1:])}  (database {url.split('@')[-1]})", flush=True)
    prepare(url, args.messages)
    build(args.messages)
    results = measure(args.runs, args.max_seconds)
    every = sorted(t for result in results for t in result["times"])
    print(
        f"overall: {len(every)} searches, p50 {statistics.median(every):.1f} ms, p95 {percentile(every, 0.95):.1f} ms"
    )
    print("\n| query | scope | hits (of 50 at most) | runs | p50 ms | p95 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        query = result["query"].replace("|", "\\|")
        print(
            f"| {result['kind']}: `{query}` | {result['scope']} | {result['hits']} | {result['runs']} | "
            f"{result['p50']:.1f} | {result['p95']:.1f} | {result['max']:.1f} |"
        )
    print(
        f"| all | | | {len(every)} | {statistics.median(every):.1f} | {percentile(every, 0.95):.1f} | {every[-1]:.1f} |"
    )


if __name__ == "__main__":
    main()

"""The benchmark's harness still works: every server starts, every socket opens, every message is counted.

Only that: how fast is the benchmark's business (`make bench`), never a test's.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT

BENCH = [sys.executable, "-m", "bench"]


def run_bench(*options: str) -> "subprocess.CompletedProcess[str]":
    """`python -m bench` with `options`: on PostgreSQL when the tests are (a database of its own beside
    theirs), else SQLite; never on Redis."""
    database = os.environ.get("DATABASE_URL", "")
    database_option = database.rsplit("/", 1)[0] + "/postgres" if database.startswith("postgres") else "sqlite"
    return subprocess.run(
        [*BENCH, *options, "--database", database_option],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")},
    )


def test_a_short_benchmark_run_delivers_every_message_on_every_server() -> None:
    run = run_bench("--workloads", "big-200", "--rate", "2", "--duration", "1")

    assert run.returncode == 0, run.stderr
    lines = {match[0]: match for match in re.findall(r"^big-200 +(\w+) .*received ([\d,]+)/([\d,]+)", run.stdout, re.M)}
    assert set(lines) == {"chat", "tutorial", "uvicorn", "bare"}, run.stdout
    for server, received, expected in lines.values():
        assert received == expected == "400", f"{server}: {received} of {expected} deliveries"
    assert "the tutorial's" in run.stdout, "the chat's ratios to the baselines are printed"


def test_a_short_edits_run_counts_the_edits_pages_receive_and_runs_on_the_chat_only() -> None:
    """Ten changes at 10 a second: nine new messages over the socket, one edit through the HTTP edit view."""
    run = run_bench("--workloads", "edits", "--servers", "chat,tutorial", "--rate", "10", "--duration", "1")

    assert run.returncode == 0, run.stderr
    chat = re.search(
        r"^edits +chat .*received ([\d,]+)/([\d,]+) .*"
        r"\| edits (\d+) \((\d+) failed\), of them received ([\d,]+)/([\d,]*\d)",
        run.stdout,
        re.M,
    )
    assert chat, run.stdout
    received, expected, edits, failed, edits_received, edits_expected = chat.groups()
    assert received == expected == "2,000", f"{received} of {expected} deliveries"
    assert (edits, failed) == ("1", "0"), f"{edits} edits, {failed} failed"
    assert edits_received == edits_expected == "200", f"{edits_received} of {edits_expected} deliveries of the edit"
    assert re.search(r"^edits +tutorial +skipped", run.stdout, re.M), "the tutorial, which has no edits, is skipped"


def test_a_short_run_of_who_is_here_and_who_is_typing_counts_every_change_and_every_indicator() -> None:
    small = ["--presence-sockets", "30", "--churn-seconds", "2", "--duration", "3"]
    run = run_bench("--workloads", "presence-churn,typing", "--servers", "chat", *small)

    assert run.returncode == 0, run.stderr
    churn = re.search(r"^presence-churn +chat +60 changes .* received ([\d,]+)/([\d,]+) at 20 ", run.stdout, re.M)
    assert churn is not None, run.stdout
    assert churn[1] == churn[2] == "1,200", "each of 30 sockets came and went, and all 20 that stayed saw it"
    typing = re.search(r"^typing +chat .* \(([\d.]+) typing frames/s\) \| received ([\d,]+)/([\d,]+)", run.stdout, re.M)
    assert typing is not None, run.stdout
    assert typing[2] == typing[3] != "0", "every indicator reached every other page"


def test_a_short_markdown_run_counts_every_message_and_edit_and_its_text_takes_the_markdown_parse() -> None:
    """`--text markdown`: the marker is still found in what Markdown makes of the text, edits' included."""
    from bench.loadgen import body
    from rooms.messages.formatting import formatted, is_plain, render

    text = body(1, 1234567890, text="markdown")
    assert not is_plain(text), "the Markdown text does not skip the parse"
    assert render(text) == formatted(text)
    assert "<p>bench-1-1234567890-" in render(text), "the marker opens the paragraph, as in plain text"
    assert "<strong>bold</strong>" in render(text)
    assert '<a href="https://example.com/a?b=1"' in render(text)
    assert is_plain(body(1, 1234567890)), "plain text still skips it"

    run = run_bench(
        "--workloads", "edits", "--servers", "chat", "--text", "markdown", "--rate", "10", "--duration", "1"
    )

    assert run.returncode == 0, run.stderr
    chat = re.search(
        r"^edits +chat .*received ([\d,]+)/([\d,]+) .*\| edits (\d+) \((\d+) failed\), of them received ([\d,]+)/",
        run.stdout,
        re.M,
    )
    assert chat, run.stdout
    assert chat.groups() == ("2,000", "2,000", "1", "0", "200"), chat.groups()
    assert "| edits (markdown) | chat |" in run.stdout


def test_the_markdown_search_runs_in_step_with_plain_text_and_prints_both_beside_each_other() -> None:
    """#14's figure: small-rooms-markdown's saturation search and plain text's, a trial of each in turn on one
    server (which goes first alternating), both printed, their ratio judged against the 15 %."""
    run = run_bench("--workloads", "small-rooms-markdown", "--servers", "chat,tutorial", "--duration", "0.5")

    assert run.returncode == 0, run.stderr
    trials = re.findall(r"^ +(markdown|plain) +[\d.]+ msg/s: (?:pass|FAIL)", run.stderr, re.M)
    assert trials[:4] == ["markdown", "plain", "plain", "markdown"], run.stderr
    assert trials.count("markdown") >= 6, "each search doubles, then narrows down five times"
    assert trials.count("plain") >= 6, run.stderr
    assert "small-rooms-markdown tutorial  skipped: only chat can run it (the tutorial server formats no text)" in (
        run.stdout
    )
    beside = re.search(
        r"^small-rooms-markdown chat: ([\d,]+) deliveries/s .*, plain text ([\d,]+)/s .*: ([\d.]+)× plain text's "
        r"\((within|NOT within) 15 %\)",
        run.stdout,
        re.M,
    )
    assert beside, run.stdout
    markdown, plain, share = (float(beside[n].replace(",", "")) for n in (1, 2, 3))
    assert share == pytest.approx(markdown / plain, abs=0.01)
    assert beside[4] == ("within" if share >= 0.85 else "NOT within")
    assert re.search(r"^\| small-rooms-markdown \| chat \| [\d,]+ \|", run.stdout, re.M), run.stdout
    assert re.search(r"^\| small-rooms-markdown's plain text \| chat \| [\d,]+ \|", run.stdout, re.M), run.stdout


def test_a_small_search_benchmark_builds_its_fixture_once_and_times_every_kind_of_query(tmp_path: Path) -> None:
    """python -m bench.search over 2,000 messages on SQLite: every kind of query timed, the fixture reused."""
    database = f"sqlite:///{tmp_path / 'search.sqlite3'}"
    command = [sys.executable, "-m", "bench.search", "--messages", "2000", "--runs", "2", "--database", database]
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)

    assert first.returncode == 0, first.stderr
    assert "# built 2,000 + 20 messages" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "# reusing the fixture of 2,000 messages" in again.stdout
    rows = re.findall(r"^\| ([a-z ]+): `.*` \| (every room|in the room) \| (\d+) \| 2 \|", first.stdout, re.M)
    assert len(rows) == 14, first.stdout
    hits = {(kind, scope): int(found) for kind, scope, found in rows}
    assert hits["rare word", "every room"] == 1  # "zanzibar" is planted in one message in 10,000: number 7
    assert hits["never occurs", "in the room"] == hits["hostile syntax", "every room"] == 0
    assert re.search(r"^overall: 28 searches, p50 [\d.]+ ms, p95 [\d.]+ ms$", first.stdout, re.M)


def test_the_room_page_benchmark_renders_the_page_and_counts_its_queries() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.page", "--renders", "3", "--warm-up", "1", "--messages", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")},
    )

    assert run.returncode == 0, run.stderr
    assert re.search(r"^room page  3 renders: median [\d.]+ ms, p95 [\d.]+ ms, .* \| 9 queries \|", run.stdout, re.M)


def test_chat_text_is_a_mix_of_lines_each_message_as_long_as_plain_text_s_and_led_by_its_marker() -> None:
    """small-rooms-chat's messages: every line of CHAT_LINES in turn, the four with marks or links taking the
    Markdown parse, the prose skipping it; each the size plain text's are, so that only the words differ."""
    from bench.loadgen import BODY_BYTES, CHAT_LINES, MARKER, body
    from rooms.messages.formatting import is_plain

    due = 1_733_240_000_000_000_000
    bodies = [body(3, due + n * 1_000, text="chat") for n in range(len(CHAT_LINES))]

    assert {line for line in CHAT_LINES if any(text.endswith(line) for text in bodies)} == set(CHAT_LINES)
    assert all(text.startswith(MARKER.decode() + "3-") for text in bodies)
    assert {len(text) for text in bodies} == {BODY_BYTES} == {len(body(3, due))}
    skipping = [text for text in bodies if is_plain(text)]
    assert len(skipping) == len(bodies) - 4, "the prose skips the parse; marks and links take it"

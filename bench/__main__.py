"""Run the benchmark: `python -m bench [options]` (README, "Measure it"); `--help` lists the options.

For each workload and each server (the chat, the Channels tutorial's chat,
uvicorn with a do-nothing ASGI app, a bare python-websockets relay: see
bench/targets.py), start the server pinned to core 0, open the
sockets from a load generator pinned to core 1, and either send at one fixed
rate (--rate) or search for the highest rate at which nothing is lost and p99
stays under 250 ms (the default). Prints one line of figures per server and
workload, ratios against the baselines, and a Markdown table at the end.

Two workloads measure the chat alone, at the fixed rates the issue names
rather than at saturation (bench/presence_load.py): presence-churn (1,000
sockets coming into one room and leaving it again over 10 s, watched by 20
that stay) and typing (100 typists in a room of 1,000, each every 3 s, the
page's throttle, for --duration seconds).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import procstat
from bench.targets import ROOT, TARGETS, WORK, Server, Target

LOADGEN_CORE = 1
P99_LIMIT_MS = 250.0
IDLE_WARM_SOCKETS = 20
MIN_RATE = 0.25  # messages per second: below this, a saturation search gives up
WARM_UP_TRIAL = 100  # the trial number of the search's first trial, not counted (past the 42 two searches take)
WARM_UP_SECONDS = 2.0
CHURN_OBSERVERS = 20  # sockets that stay in the churning room, to time every change at
CHURN_SECONDS = 10.0  # 1,000 sockets come in the first half and leave in the second (--churn-seconds)
PRESENCE_ROOM = 1000  # the churning sockets, and the typing room's size (--presence-sockets)


@dataclass(frozen=True)
class Workload:
    name: str
    room_sizes: list[int]
    senders_per_room: int  # how many members of each room send (the first ones)
    start_deliveries: int  # the saturation search starts at this many deliveries per second
    edit_every: int = 0  # every this many changes, one is an edit over HTTP instead of a new message (0: none)
    servers: tuple[str, ...] = ()  # the only servers that can run it (empty: all of them)
    servers_why: str = ""  # what the others lack, said when they are skipped
    kind: str = "messages"  # or "idle", or the chat's own "churn" and "typing" (bench/presence_load.py)
    text: str = ""  # the messages' text, "plain", "markdown" or "chat" (empty: whatever --text says)
    # How many times the saturation search halves the step between its last passing and failing rates:
    # three leave it 9 % apart (2 ** (1 / 8)), five 2 % (2 ** (1 / 32)), two trials more.
    narrowing: int = 3
    # Searched in step with a search of the same sockets sending plain text (saturate_beside_plain), which is
    # printed beside it.
    beside_plain: bool = False

    @property
    def message_text(self) -> str:
        return self.text or TEXT

    @property
    def sockets(self) -> int:
        return sum(self.room_sizes)


def small_rooms_beside_plain(name: str, text: str) -> Workload:
    """small-rooms sending `text`, the chat only, searched to 2 % in step with its sockets sending plain text."""
    return Workload(
        name,
        [5] * 100,
        5,
        1_000,
        servers=("chat",),
        servers_why="the {server} server formats no text",
        text=text,
        narrowing=5,
        beside_plain=True,
    )


WORKLOADS = {
    "big-200": Workload("big-200", [200], 10, 4_000),
    "big-1000": Workload("big-1000", [1000], 10, 4_000),
    # big-200, but a tenth of the changes are edits of the senders' own earlier messages, through the chat's
    # HTTP edit view; the other servers have no edits.
    "edits": Workload(
        "edits", [200], 10, 4_000, edit_every=10, servers=("chat",), servers_why="the {server} server has no edits"
    ),
    "small-rooms": Workload("small-rooms", [5] * 100, 5, 1_000),
    # The Markdown figure (#14): small-rooms with text that takes Markdown's whole parse
    # (bench/loadgen.py), searched in step with the same sockets sending plain text. Searched to 2 %, as the
    # margin asked (15 %) is less than two of the usual 9 % steps.
    "small-rooms-markdown": small_rooms_beside_plain("small-rooms-markdown", "markdown"),
    # The same, with messages as people write them (CHAT_LINES: a few marks and links, mostly punctuation),
    # beside plain text in the same way: what Markdown costs a chat, where #14's figure is its worst case.
    "small-rooms-chat": small_rooms_beside_plain("small-rooms-chat", "chat"),
    "idle": Workload("idle", [20] * 100, 0, 0, kind="idle"),
    "presence-churn": Workload("presence-churn", [CHURN_OBSERVERS + PRESENCE_ROOM], 0, 0, kind="churn"),
    "typing": Workload("typing", [PRESENCE_ROOM], PRESENCE_ROOM // 10, 0, kind="typing"),
}


class LoadGenerator:
    """bench/loadgen.py in a process of its own, pinned to the other core."""

    def __init__(self, clients: list[dict[str, Any]], wire: str, workload: Workload) -> None:
        senders = [
            i
            for i, spec in enumerate(clients)
            if sum(1 for other in clients[:i] if other["room"] == spec["room"]) < workload.senders_per_room
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        os.sched_setaffinity(self.process.pid, {LOADGEN_CORE})
        plan = {
            "clients": clients,
            "senders": senders,
            "wire": wire,
            "room_sizes": workload.room_sizes,
            "edit_every": workload.edit_every,
            "text": workload.message_text,
        }
        self.ask(plan)

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin
        assert self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator exited with {self.process.wait()}")
        return dict(json.loads(line))

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.write(json.dumps({"quit": True}) + "\n")
        self.process.stdin.close()
        self.process.wait(timeout=30)


class PresenceLoadGenerator(LoadGenerator):
    """bench/presence_load.py in a process of its own, pinned to the other core."""

    def __init__(self, clients: list[dict[str, Any]], workload: Workload) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.presence_load"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        os.sched_setaffinity(self.process.pid, {LOADGEN_CORE})
        mode = workload.kind
        plan = {"clients": clients, "mode": mode, "observers": CHURN_OBSERVERS, "typists": workload.senders_per_room}
        self.ask(plan)


def presence_trial(server: Server, load: LoadGenerator, seconds: float) -> dict[str, Any]:
    """One trial at the workload's own rate; CPU per change, and per frame any socket received."""
    wait_until_idle(server.pid)
    before = procstat.cpu_times(server.pid)
    with profiling(server, seconds):
        result = load.ask({"seconds": seconds})
    after = procstat.cpu_times(server.pid)
    server_cpu = after[0] - before[0] + after[1] - before[1]
    result.update(
        rate=result["changes"] / result["seconds"],
        deliveries_per_second=result["frames"] / result["seconds"],
        cpu_s_per_1k=server_cpu / result["frames"] * 1000 if result["frames"] else float("nan"),
        cpu_ms_per_change=server_cpu / result["changes"] * 1000,
        cpu_us_per_received=server_cpu / result["received"] * 1e6 if result["received"] else float("nan"),
        kernel_share=(after[1] - before[1]) / server_cpu if server_cpu else 0.0,
        loadgen_cpu_share=result["loadgen_cpu"] / result["seconds"],
        ok=result["received"] == result["expected"],
    )
    return result


def wait_until_idle(pid: int, *, below: float = 0.05, timeout: float = 60) -> None:
    """Until the server uses less than `below` of a core: a backlog from the last trial is not the next one's."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = procstat.cpu_seconds(pid)
        time.sleep(0.5)
        if procstat.cpu_seconds(pid) - before < below * 0.5:
            return


def trial(
    server: Server, load: LoadGenerator, rate: float, duration: float, number: int, text: str | None = None
) -> dict[str, Any]:
    """One trial at `rate`; its messages' text is the load generator's plan's, or `text`."""
    wait_until_idle(server.pid)
    user_before, system_before = procstat.cpu_times(server.pid)
    with profiling(server, duration):
        result = load.ask({"rate": rate, "duration": duration, "trial": number} | ({"text": text} if text else {}))
    user_after, system_after = procstat.cpu_times(server.pid)
    server_cpu = user_after - user_before + system_after - system_before
    received = result["received"]
    result.update(
        rate=rate,
        deliveries_per_second=received / result["seconds"],
        cpu_s_per_1k=server_cpu / received * 1000 if received else float("nan"),
        kernel_share=(system_after - system_before) / server_cpu if server_cpu else 0.0,
        loadgen_cpu_share=result["loadgen_cpu"] / result["seconds"],
        ok=received == result["expected"] and result["p99"] < P99_LIMIT_MS,
    )
    return result


TEXT = "plain"  # --text: "plain" (skips the Markdown parse), "markdown" (takes all of it) or "chat" (a mix)
PROFILE: Path | None = None  # --profile: where py-spy writes the last trial's samples of the chat server


@contextmanager
def profiling(server: Server, duration: float) -> Iterator[None]:
    """Sample the server with py-spy while a trial sends (collapsed stacks, for bench/profile.py)."""
    if PROFILE is None or server.name != "chat":
        yield
        return
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(server.pid),
            "--format",
            "raw",
            "--output",
            str(PROFILE),
            "--duration",
            str(int(duration) + 1),
            "--rate",
            "250",
            "--nonblocking",
            "--gil",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.wait()


def saturate(server: Server, load: LoadGenerator, workload: Workload, duration: float) -> dict[str, Any]:
    """The best passing trial of `search`."""
    warm_up(server, load, workload)
    rates = search(workload)
    rate, number = next(rates), 0
    while True:
        number += 1
        result = trial(server, load, rate, duration, number)
        report_trial(result)
        try:
            rate = rates.send(result)
        except StopIteration as done:
            return dict(done.value)


def saturate_beside_plain(server: Server, load: LoadGenerator, workload: Workload, duration: float) -> dict[str, Any]:
    """Two searches in step on one server and its sockets, one with the workload's text, one with plain text.

    Each step runs a trial of each, in turn (which goes first alternates): this machine's speed drifts by more
    than a quarter within minutes (bench/README.md, session 12), so two searches one after the other compare
    two machines as much as two texts. Returns the workload's best trial, with plain text's as "beside".
    """
    texts = (workload.message_text, "plain")
    for text in texts:
        warm_up(server, load, workload, text)
    searches = {text: search(workload) for text in texts}
    rates = {text: next(searches[text]) for text in texts}
    best: dict[str, dict[str, Any]] = {}
    number = step = 0
    while searches:
        for text in texts if step % 2 == 0 else texts[::-1]:
            if text not in searches:
                continue
            number += 1
            result = trial(server, load, rates[text], duration, number, text)
            report_trial(result, text)
            try:
                rates[text] = searches[text].send(result)
            except StopIteration as done:
                best[text] = done.value
                del searches[text]
        step += 1
    return best[workload.message_text] | {"beside": best["plain"]}


def warm_up(server: Server, load: LoadGenerator, workload: Workload, text: str | None = None) -> None:
    # Not counted: a fresh server's first messages cost more (templates compiled, the access rule compiled
    # for each sender and room, caches filled). On a slow machine that alone put the first trial's p99
    # over the limit, and the search then looked only below the starting rate (bench/README.md, session 9).
    rate = max(MIN_RATE, workload.start_deliveries / max(workload.room_sizes))
    number = WARM_UP_TRIAL + (text == "plain")  # two warm-ups on one load generator: two numbers
    result = trial(server, load, rate, WARM_UP_SECONDS, number, text)
    print(f"    warm-up, not counted: p99 {result['p99']:.1f} ms", file=sys.stderr, flush=True)


def search(workload: Workload) -> Generator[float, dict[str, Any], dict[str, Any]]:
    """The rates to try, each sent its trial's result: double (or halve) the rate until pass and fail meet,
    then narrow down between them. Returns the best passing trial.

    If no rate down to MIN_RATE passes, the slowest trial is returned, marked as failed.
    """
    rate = max(MIN_RATE, workload.start_deliveries / max(workload.room_sizes))
    tried, best, failed = 0, None, None
    while tried < 16:
        tried += 1
        result = yield rate
        if result["ok"]:
            best = result
            if failed is not None:
                break
            rate *= 2
        else:
            failed = rate
            if best is not None or rate <= MIN_RATE:
                break
            rate /= 2
    if best is None or failed is None:
        return best or result
    low, high = best["rate"], failed
    for _ in range(workload.narrowing):
        rate = (low * high) ** 0.5
        result = yield rate
        if result["ok"]:
            best, low = result, rate
        else:
            high = rate
    return best


def report_trial(result: dict[str, Any], text: str = "") -> None:
    print(
        f"    {text:8}{result['rate']:9.1f} msg/s: {'pass' if result['ok'] else 'FAIL'} "
        f"{result['received']}/{result['expected']} received, p99 {result['p99']:.1f} ms, "
        f"load generator {result['loadgen_cpu_share']:.0%} of a core" + edit_figures(result),
        file=sys.stderr,
        flush=True,
    )


def measure(
    target: Target, workload: Workload, *, database_url: str, redis_url: str | None, rate: float | None, duration: float
) -> dict[str, Any] | None:
    if workload.kind in ("churn", "typing") and target.name != "chat":
        return None  # who is here and who is typing are the chat's alone
    server = target.serve(database_url=database_url, redis_url=redis_url)
    tag = f"{workload.name}-{uuid.uuid4().hex[:6]}"
    try:
        if workload.kind in ("churn", "typing"):
            people = PresenceLoadGenerator(target.clients(server.port, workload.room_sizes, tag), workload)
            result = presence_trial(server, people, CHURN_SECONDS if workload.kind == "churn" else duration)
            people.close()
        elif workload.kind == "idle":
            warm = LoadGenerator(target.clients(server.port, [IDLE_WARM_SOCKETS], tag + "w"), target.wire, workload)
            time.sleep(1)
            before = procstat.memory_kib(server.pid, "VmRSS")
            load = LoadGenerator(target.clients(server.port, workload.room_sizes, tag), target.wire, workload)
            time.sleep(2)
            after = procstat.memory_kib(server.pid, "VmRSS")
            result = {"sockets": workload.sockets, "kib_per_socket": (after - before) / workload.sockets}
            load.close()
            warm.close()
        else:
            load = LoadGenerator(target.clients(server.port, workload.room_sizes, tag), target.wire, workload)
            if rate is None and workload.beside_plain:
                result = saturate_beside_plain(server, load, workload, duration)
            elif rate is None:
                result = saturate(server, load, workload, duration)
            else:
                result = trial(server, load, rate, duration, 1)
                report_trial(result)
            load.close()
        result["peak_rss_mib"] = procstat.memory_kib(server.pid, "VmHWM") / 1024
        if "beside" in result:
            result["beside"]["peak_rss_mib"] = result["peak_rss_mib"]  # the same server
        return result
    finally:
        server.stop()


def line(target: str, workload: Workload, result: dict[str, Any]) -> str:
    timing = (
        f"p50 {result.get('p50', 0):.1f} p90 {result.get('p90', 0):.1f} p99 {result.get('p99', 0):.1f} "
        f"max {result.get('max', 0):.1f} ms"
    )
    if workload.kind == "churn":
        return (
            f"{workload.name:12} {target:9} {result['changes']:,} changes in {result['seconds']:.1f} s "
            f"({result['rate']:.0f}/s) | received {result['received']:,}/{result['expected']:,} at "
            f"{CHURN_OBSERVERS} sockets that stayed | {timing} | server CPU {result['cpu_ms_per_change']:.2f} ms "
            f"per change ({result['cpu_s_per_1k'] * 1000:.1f} µs per frame of {result['frames']:,} sent, "
            f"{result['lists']:,} of them lists whole; {result['kernel_share']:.0%} in the kernel) | "
            f"peak RSS {result['peak_rss_mib']:.0f} MiB | load generator {result['loadgen_cpu_share']:.0%} of a core"
        )
    if workload.kind == "typing":
        return (
            f"{workload.name:12} {target:9} {result['received'] / result['seconds']:9,.0f} indicators delivered/s "
            f"({result['rate']:.1f} typing frames/s) | received {result['received']:,}/{result['expected']:,} | "
            f"{timing} | server CPU {result['cpu_us_per_received']:.1f} µs per delivered indicator "
            f"({result['kernel_share']:.0%} in the kernel) | peak RSS {result['peak_rss_mib']:.0f} MiB | "
            f"load generator {result['loadgen_cpu_share']:.0%} of a core"
        )
    if workload.kind == "idle":
        return (
            f"{workload.name:12} {target:9} {result['sockets']} idle sockets: "
            f"{result['kib_per_socket']:.1f} KiB each, peak RSS {result['peak_rss_mib']:.0f} MiB"
        )
    verdict = "" if result["ok"] else " (NO RATE PASSED: the slowest trial)"
    return (
        f"{workload.name:12} {target:9} {result['deliveries_per_second']:9,.0f} deliveries/s{verdict} "
        f"({result['rate']:.0f} msg/s) | received {result['received']:,}/{result['expected']:,} | "
        f"p50 {result['p50']:.1f} p90 {result['p90']:.1f} p99 {result['p99']:.1f} max {result['max']:.1f} ms | "
        f"server CPU {result['cpu_s_per_1k']:.4f} s/1k deliveries "
        f"({result['cpu_s_per_1k'] * 1000:.1f} µs each, {result['kernel_share']:.0%} in the kernel) | "
        f"peak RSS {result['peak_rss_mib']:.0f} MiB | load generator {result['loadgen_cpu_share']:.0%} of a core"
        + edit_figures(result)
    )


def edit_figures(result: dict[str, Any]) -> str:
    """For a workload with edits: how many, how many failed (and why), their deliveries and latencies."""
    if "edits" not in result:
        return ""
    failures = result["edit_failures"]
    why = f": {'; '.join(result['edit_failure_sample'])}" if failures else ""
    return (
        f" | edits {result['edits']:,} ({failures} failed{why}), of them received "
        f"{result['edits_received']:,}/{result['edits_expected']:,}, p99 {result['edits_p99']:.1f} ms, "
        f"HTTP answer p99 {result['edits_answer_p99']:.1f} ms"
    )


def skipped(target: str, workload: Workload) -> str:
    return (
        f"{workload.name:12} {target:9} skipped: only {', '.join(workload.servers)} can run it "
        f"({workload.servers_why.format(server=target)})"
    )


def ratio(mine: float, theirs: float, digits: int = 2) -> str:
    """mine / theirs, as a multiple; "n/a" when theirs measured nothing (CPU time comes in 10 ms ticks)."""
    return f"{mine / theirs:.{digits}f}×" if theirs else "n/a"


def ratios(workload: Workload, results: dict[str, dict[str, Any]]) -> str:
    chat = results.get("chat")
    if not chat:
        return ""
    parts = []
    if workload.kind in ("churn", "typing"):
        return ""  # no baseline has them
    if workload.kind == "idle":
        for other in ("tutorial", "uvicorn", "bare"):
            if other in results:
                parts.append(
                    f"memory per socket {ratio(chat['kib_per_socket'], results[other]['kib_per_socket'])} {other}'s"
                )
    else:
        if "tutorial" in results:
            speedup = ratio(chat["deliveries_per_second"], results["tutorial"]["deliveries_per_second"], 1)
            parts.append(f"deliveries/s {speedup} the tutorial's")
        for other in ("tutorial", "uvicorn", "bare"):
            if other in results:
                parts.append(
                    f"CPU per delivery {ratio(chat['cpu_s_per_1k'], results[other]['cpu_s_per_1k'])} {other}'s"
                )
    return f"{workload.name:12} chat:     " + ", ".join(parts) if parts else ""


def beside_plain(measured: dict[str, dict[str, dict[str, Any]]], *, searched: bool) -> str:
    """The chat's workloads that change one thing of another beside it: edits beside big-200 of the same run
    (a tenth of the changes edits), small-rooms-markdown beside plain text searched in step with it (#14's
    figure; judged only when searched for, as at one fixed rate both deliver the same)."""
    lines = []
    edits, big = measured.get("edits", {}).get("chat"), measured.get("big-200", {}).get("chat")
    if edits and big:
        speed = ratio(edits["deliveries_per_second"], big["deliveries_per_second"])
        lines.append(
            f"{'edits':12} chat:     deliveries/s {speed} "
            f"big-200's, CPU per delivery {ratio(edits['cpu_s_per_1k'], big['cpu_s_per_1k'])} big-200's"
        )
    for workload in WORKLOADS.values():
        formatted = measured.get(workload.name, {}).get("chat") if workload.beside_plain else None
        plain = formatted and formatted.get("beside", measured.get("small-rooms", {}).get("chat"))
        if not (formatted and plain):
            continue
        share = formatted["deliveries_per_second"] / plain["deliveries_per_second"]
        verdict = f" ({'within' if share >= 0.85 else 'NOT within'} 15 %)" if searched else ""
        lines.append(
            f"{workload.name} chat: {formatted['deliveries_per_second']:,.0f} deliveries/s "
            f"({formatted['rate']:.0f} msg/s), plain text {plain['deliveries_per_second']:,.0f}/s "
            f"({plain['rate']:.0f} msg/s): {share:.2f}× plain text's{verdict}, "
            f"CPU per delivery {ratio(formatted['cpu_s_per_1k'], plain['cpu_s_per_1k'])} plain text's"
        )
    return "\n".join(lines)


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh, migrated database for the chat: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="chat-bench-"))
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
        try:
            yield migrated(url)
        finally:
            shutil.rmtree(directory)
        return
    import psycopg
    from psycopg import sql

    name = f"chat_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(kind.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield migrated(kind.rsplit("/", 1)[0] + "/" + name)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(kind.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def migrated(url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # This process makes the chat's members straight in that database (bench/members.py).
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    return url


def main() -> None:
    global PROFILE, CHURN_SECONDS, TEXT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated: %(default)s")
    parser.add_argument("--servers", default=",".join(TARGETS), help="comma-separated: %(default)s")
    parser.add_argument(
        "--database",
        default="sqlite",
        help="sqlite (default), or a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--redis", metavar="URL", help="use channels-redis at this URL (default: the in-memory layer)")
    parser.add_argument(
        "--rate", type=float, help="send this many messages per second in all, instead of searching for saturation"
    )
    parser.add_argument(
        "--profile", type=Path, metavar="FILE", help="record the chat server's trials with py-spy into FILE"
    )
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds of sending per trial (default %(default)s)"
    )
    parser.add_argument(
        "--presence-sockets",
        type=int,
        default=PRESENCE_ROOM,
        help="sockets coming and going in presence-churn, and in the typing room, a tenth of them typing "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--churn-seconds", type=float, default=CHURN_SECONDS, help="presence-churn's length (default %(default)s)"
    )
    parser.add_argument(
        "--text",
        choices=("plain", "markdown", "chat"),
        default="plain",
        help="the messages of workloads with no text of their own (small-rooms-markdown has): plain letters, "
        "which skip the Markdown parse, Markdown that takes all of it (strong, emphasis, strikethrough, code "
        "and a bare URL; bench/loadgen.py), or lines as people write them (loadgen's CHAT_LINES) "
        "(default %(default)s)",
    )
    args = parser.parse_args()
    PROFILE, CHURN_SECONDS, TEXT = args.profile, args.churn_seconds, args.text
    WORKLOADS["presence-churn"] = Workload(
        "presence-churn", [CHURN_OBSERVERS + args.presence_sockets], 0, 0, kind="churn"
    )
    WORKLOADS["typing"] = Workload(
        "typing", [args.presence_sockets], max(1, args.presence_sockets // 10), 0, kind="typing"
    )
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("the benchmark needs two cores: one for the server, one for the load generator")
    WORK.mkdir(parents=True, exist_ok=True)
    workloads = [WORKLOADS[name] for name in args.workloads.split(",")]
    targets = [TARGETS[name] for name in args.servers.split(",")]
    print(
        f"# python -m bench {' '.join(sys.argv[1:])}  (database {args.database.split('@')[-1]}, "
        f"layer {'redis' if args.redis else 'in-memory'}, {args.text} text, server on core 0, "
        "load generator on core 1)",
        flush=True,
    )
    table: list[str] = []
    measured: dict[str, dict[str, dict[str, Any]]] = {}
    with database(args.database) as database_url:
        for workload in workloads:
            results = measured.setdefault(workload.name, {})
            for target in targets:
                if workload.servers and target.name not in workload.servers:
                    print(skipped(target.name, workload), flush=True)
                    continue
                print(f"  {workload.name} / {target.name}", file=sys.stderr, flush=True)
                result = measure(
                    target,
                    workload,
                    database_url=database_url,
                    redis_url=args.redis,
                    rate=args.rate,
                    duration=args.duration,
                )
                if result is None:
                    continue
                results[target.name] = result
                print(line(target.name, workload, results[target.name]), flush=True)
                table.append(table_row(target.name, workload, results[target.name]))
                if beside := results[target.name].get("beside"):
                    table.append(table_row(target.name, workload, beside, label=f"{workload.name}'s plain text"))
            if summary := ratios(workload, results):
                print(summary, flush=True)
        if comparison := beside_plain(measured, searched=args.rate is None):
            print(comparison, flush=True)
    print("\n| workload | server | deliveries/s | msg/s | lost | p50 / p99 / max ms | CPU µs per delivery ", end="")
    print("| KiB per idle socket | peak RSS MiB |\n| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    print("\n".join(table))


def table_row(target: str, workload: Workload, result: dict[str, Any], label: str = "") -> str:
    if workload.kind == "idle":
        memory = f"{result['kib_per_socket']:.1f} | {result['peak_rss_mib']:.0f}"
        return f"| idle ({result['sockets']}) | {target} | | | | | | {memory} |"
    return (
        f"| {label or workload.name}{'' if workload.message_text == 'plain' or workload.text else f' ({TEXT})'} | "
        f"{target}{'' if result['ok'] else ' (no rate passed)'} | "
        f"{result['deliveries_per_second']:,.0f} | {result['rate']:,.1f} | "
        f"{result['expected'] - result['received']} | "
        f"{result['p50']:.1f} / {result['p99']:.1f} / {result['max']:.1f} | "
        f"{result['cpu_s_per_1k'] * 1000:.1f} | | {result['peak_rss_mib']:.0f} |"
    )


if __name__ == "__main__":
    main()

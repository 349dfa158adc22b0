"""Where an idle socket's memory goes: `python -m bench.idle_memory [--sockets N] [--top K]`.

The `idle` workload says how much a socket costs (growth of VmRSS); this says
what it is made of. The chat runs under `tracemalloc` on a fresh SQLite
database; 20 sockets warm it up, a snapshot is taken, N more sockets (rooms of
20, a member each, as in `idle`) open and wait, and a second snapshot is taken.
The difference, per socket, is printed twice: by the line that allocated it,
and by the innermost line of this project's own code on the way there (what
we could change). tracemalloc counts Python's allocations only: uvloop's and
the kernel's buffers are not in it, and its own bookkeeping is not in VmRSS,
so its total is not the `idle` figure; the shares are what it is for.
"""

import argparse
import collections
import dataclasses
import linecache
import os
import signal
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from bench.targets import ROOT, TARGETS

FRAMES = 12  # deep enough to reach our code from uvicorn's and Django's
SNAPSHOTS = "IDLE_MEMORY_SNAPSHOTS"  # where the traced server writes them, one per SIGUSR1


def serve_traced() -> None:
    """config.serve, traced; each SIGUSR1 writes a snapshot (after a collection) to the next numbered file."""
    import gc

    from config import serve

    tracemalloc.start(FRAMES)
    directory = Path(os.environ[SNAPSHOTS])
    taken = 0

    def snapshot(_signal: int, _frame: object) -> None:
        nonlocal taken
        gc.collect()
        taken += 1
        writing = directory / f"{taken}.writing"
        tracemalloc.take_snapshot().dump(str(writing))
        writing.replace(directory / f"{taken}.snapshot")  # whole, or not there

    signal.signal(signal.SIGUSR1, snapshot)
    serve.main()


def take(pid: int, directory: Path, number: int) -> tracemalloc.Snapshot:
    os.kill(pid, signal.SIGUSR1)
    path = directory / f"{number}.snapshot"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(1)
        if path.exists():
            return tracemalloc.Snapshot.load(str(path))
    raise RuntimeError(f"no snapshot at {path}")


def ours(frame: tracemalloc.Frame) -> bool:
    return frame.filename.startswith(str(ROOT)) and "/.venv/" not in frame.filename


def where(frame: tracemalloc.Frame) -> str:
    name = frame.filename.removeprefix(str(ROOT) + "/")
    return f"{name}:{frame.lineno}  {linecache.getline(frame.filename, frame.lineno).strip()[:80]}"


def report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, sockets: int, top: int) -> None:
    growth = after.compare_to(before, "traceback")
    by_line: collections.Counter[str] = collections.Counter()
    by_ours: collections.Counter[str] = collections.Counter()
    for stat in growth:
        by_line[where(stat.traceback[-1])] += stat.size_diff  # the traceback runs oldest first
        mine = [frame for frame in stat.traceback if ours(frame)]
        by_ours[where(mine[-1]) if mine else "(no frame of ours)"] += stat.size_diff
    print(f"{sum(stat.size_diff for stat in growth) / sockets:,.0f} B per socket under tracemalloc\n")
    for title, counter in (("by the line that allocated it", by_line), ("by our innermost line", by_ours)):
        print(f"B per socket, {title}:")
        for line, size in counter.most_common(top):
            print(f"{size / sockets:8.1f}  {line}")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    from bench.__main__ import IDLE_WARM_SOCKETS, WORKLOADS, LoadGenerator, database

    chat = TARGETS["chat"]
    idle = WORKLOADS["idle"]
    room_size = idle.room_sizes[0]
    workload = dataclasses.replace(idle, room_sizes=[room_size] * (args.sockets // room_size))
    with tempfile.TemporaryDirectory(prefix="idle-memory-") as snapshots, database("sqlite") as url:
        os.environ[SNAPSHOTS] = snapshots
        server = chat.serve(database_url=url, redis_url=None, chat_module="bench.idle_memory")
        tag = uuid.uuid4().hex[:6]
        try:
            warm = LoadGenerator(chat.clients(server.port, [IDLE_WARM_SOCKETS], tag + "w"), chat.wire, workload)
            time.sleep(2)
            before = take(server.pid, Path(snapshots), 1)
            load = LoadGenerator(chat.clients(server.port, workload.room_sizes, tag), chat.wire, workload)
            time.sleep(2)
            after = take(server.pid, Path(snapshots), 2)
            load.close()
            warm.close()
        finally:
            server.stop()
    report(before, after, workload.sockets, args.top)


if __name__ == "__main__":
    if SNAPSHOTS in os.environ:  # the server main() starts, with config.serve's arguments
        serve_traced()
    else:
        main()

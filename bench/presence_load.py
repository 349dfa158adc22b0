"""The load generator for who is here and who is typing (the chat only): sockets that come and go, and typists.

Driven like bench/loadgen.py, through JSON lines: the first line on stdin is
the plan (the clients, each with its user id, and the mode); each later line
asks for one trial and is answered with one line of results.

- churn: the first `observers` clients stay connected; in each trial the
  others each open a socket and close it again, spread evenly over
  `seconds`: all opening in the first half, in order, then all closing in
  the second. Each coming and going should reach every observer once, as a
  fragment naming the person; its latency is its receipt at an observer
  minus the moment the socket was due to open (or to close). Every other
  frame any socket receives (the changes at the churning sockets, each
  one's list whole on opening) is counted too.
- typing: every client connects first; the first `typists` each send
  {"typing": true} every 3 s (the page's throttle), staggered; each should
  reach every other socket once. Latency is receipt minus the moment the
  typist's latest frame was due.
"""

import asyncio
import json
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import picows
import uvloop

from bench.loadgen import CONNECT_BATCH, DRAIN_SECONDS, cpu_seconds, percentile

TYPING_EVERY = 3.0  # seconds: static/js/typing.js sends at most this often
TYPING_FRAME = json.dumps({"typing": True}).encode()
# A frame may hold several people coming and going (settings.PRESENCE_COALESCE): each is counted.
CAME = re.compile(rb'<ul id="people-here-list" hx-swap-oob="beforeend"><li id="person-(\d+)"')
WENT = re.compile(rb'<li id="person-(\d+)" hx-swap-oob="delete">')
LIST_WHOLE = b'hx-swap-oob="innerHTML"'
TYPIST = b'<li id="typist-'


@dataclass
class Tally:
    counting: bool = False
    due_ns: dict[tuple[int, bool], int] = field(default_factory=dict)  # (user, came?) -> when it was due
    typed_ns: dict[int, int] = field(default_factory=dict)  # typist -> when their latest frame was due
    received: int = 0  # what the measured sockets got of what they should
    latencies_ns: list[int] = field(default_factory=list)
    frames: int = 0  # every frame any socket received
    lists: int = 0  # of which lists whole


tally = Tally()


def user_of(data: bytes, start: int) -> int:
    end = data.index(b'"', start)
    return int(data[start:end])


class Client(picows.WSListener):
    transport: picows.WSTransport

    def __init__(self, *, measured: bool) -> None:
        self.measured = measured  # an observer (churn), or any socket (typing)

    def on_ws_connected(self, transport: picows.WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        if frame.msg_type != picows.WSMsgType.TEXT or not tally.counting:
            return
        data = frame.get_payload_as_bytes()
        now = time.monotonic_ns()
        tally.frames += 1
        if LIST_WHOLE in data:
            tally.lists += 1
            return
        if not self.measured:
            return
        if (position := data.find(TYPIST)) != -1:
            dues = [tally.typed_ns.get(user_of(data, position + len(TYPIST)))]
        else:
            dues = [tally.due_ns.get((int(user), True)) for user in CAME.findall(data)]
            dues += [tally.due_ns.get((int(user), False)) for user in WENT.findall(data)]
        for due in dues:
            if due is not None:
                tally.received += 1
                tally.latencies_ns.append(now - due)


async def connect(spec: dict[str, Any], *, measured: bool) -> Client:
    _transport, client = await picows.ws_connect(
        lambda: Client(measured=measured), spec["url"], extra_headers=spec["headers"], websocket_handshake_timeout=60
    )
    assert isinstance(client, Client)
    return client


async def connect_all(specs: list[dict[str, Any]], *, measured: bool) -> list[Client]:
    clients: list[Client] = []
    for start in range(0, len(specs), CONNECT_BATCH):
        batch = specs[start : start + CONNECT_BATCH]
        clients += await asyncio.gather(*(connect(spec, measured=measured) for spec in batch))
    return clients


async def at(due_ns: int) -> None:
    delay = (due_ns - time.monotonic_ns()) / 1e9
    if delay > 0:
        await asyncio.sleep(delay)


async def churn(plan: dict[str, Any], seconds: float) -> dict[str, Any]:
    churners = plan["clients"][plan["observers"] :]
    half_ns = int(seconds / 2 * 1e9)
    step_ns = half_ns // len(churners)
    started = time.monotonic_ns() + 100_000_000
    tally.due_ns = {}
    for i, spec in enumerate(churners):
        tally.due_ns[(spec["user"], True)] = started + i * step_ns
        tally.due_ns[(spec["user"], False)] = started + half_ns + i * step_ns
    opened: list[asyncio.Task[Client]] = []

    async def come(i: int, spec: dict[str, Any]) -> Client:
        await at(started + i * step_ns)
        return await connect(spec, measured=False)

    for i, spec in enumerate(churners):
        opened.append(asyncio.create_task(come(i, spec)))
    for i, task in enumerate(opened):
        client = await task
        await at(started + half_ns + i * step_ns)
        client.transport.send_close(picows.WSCloseCode.OK)
        client.transport.disconnect()
    return {"expected": plan["observers"] * len(churners) * 2, "changes": len(churners) * 2}


async def typing(plan: dict[str, Any], clients: list[Client], seconds: float) -> dict[str, Any]:
    typists = plan["typists"]
    started = time.monotonic_ns() + 100_000_000
    frames = 0
    while (offset := frames * TYPING_EVERY / typists) < seconds:  # typist after typist, each every 3 s
        due = started + int(offset * 1e9)
        await at(due)
        typist = frames % typists
        tally.typed_ns[plan["clients"][typist]["user"]] = due
        clients[typist].transport.send(picows.WSMsgType.TEXT, TYPING_FRAME)
        frames += 1
    return {"expected": frames * (len(clients) - 1), "changes": frames}


async def run_trial(plan: dict[str, Any], clients: list[Client], seconds: float) -> dict[str, Any]:
    tally.received, tally.latencies_ns, tally.frames, tally.lists = 0, [], 0, 0
    tally.counting = True
    cpu_before = cpu_seconds()
    began = time.monotonic()
    if plan["mode"] == "churn":
        result = await churn(plan, seconds)
    else:
        result = await typing(plan, clients, seconds)
    sent_for = time.monotonic() - began
    deadline = time.monotonic() + DRAIN_SECONDS
    while tally.received < result["expected"] and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # what the others receive after the measured sockets
    tally.counting = False
    ordered = sorted(tally.latencies_ns)
    return {
        **result,
        "received": tally.received,
        "frames": tally.frames,
        "lists": tally.lists,
        "seconds": max(seconds, sent_for),
        "p50": percentile(ordered, 0.50),
        "p90": percentile(ordered, 0.90),
        "p99": percentile(ordered, 0.99),
        "max": percentile(ordered, 1.0),
        "loadgen_cpu": cpu_seconds() - cpu_before,
    }


async def main() -> None:
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def answer(result: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()

    plan = json.loads(await reader.readline())
    staying = plan["clients"][: plan["observers"]] if plan["mode"] == "churn" else plan["clients"]
    clients = await connect_all(staying, measured=True)
    answer({"connected": len(clients)})
    while line := await reader.readline():
        command = json.loads(line)
        if command.get("quit"):
            break
        answer(await run_trial(plan, clients, command["seconds"]))
    for client in clients:
        client.transport.disconnect()


if __name__ == "__main__":
    uvloop.run(main())

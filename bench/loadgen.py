"""The load generator: many WebSocket clients in one process, on picows (a Cython client) and uvloop.

Driven by bench/run.py through JSON lines: the first line on stdin describes
the clients; each later line asks for one trial ({"rate": messages per second
in all, "duration": seconds, "trial": n}) and is answered with one line of
results. Every message carries a marker with its trial and the moment it was
due to be sent, so each receipt gives a latency; stamping the due time (not
the actual send) means a lagging generator makes figures worse, never better.
"""

import asyncio
import json
import resource
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import picows
import uvloop

MARKER = b"bench-"
BODY_BYTES = 128
CONNECT_BATCH = 100  # handshakes in flight at once: below uvicorn's listen backlog
DRAIN_SECONDS = 5.0  # after the last send, how long stragglers may take before they count as lost


@dataclass
class Tally:
    marker: bytes = MARKER + b"none-"  # starts this trial's markers: frames of other trials are not counted
    received: int = 0
    latencies_ns: list[int] = field(default_factory=list)

    def reset(self, trial: int) -> None:
        self.marker, self.received, self.latencies_ns = b"%s%d-" % (MARKER, trial), 0, []


tally = Tally()


class Client(picows.WSListener):
    transport: picows.WSTransport

    def on_ws_connected(self, transport: picows.WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        if frame.msg_type != picows.WSMsgType.TEXT:
            return
        data = frame.get_payload_as_bytes()
        now = time.monotonic_ns()
        prefix = tally.marker
        position = data.find(prefix)
        while position != -1:
            start = position + len(prefix)
            end = data.find(b"-", start)
            tally.latencies_ns.append(now - int(data[start:end]))
            tally.received += 1
            position = data.find(prefix, end)


def body(trial: int, due_ns: int) -> str:
    text = f"{MARKER.decode()}{trial}-{due_ns}-"
    return text + "x" * (BODY_BYTES - len(text))


def frame_for(wire: str, text: str) -> bytes:
    if wire == "htmx":  # what htmx 4's hx-ws extension sends for the compose form
        return json.dumps(
            {
                "csrfmiddlewaretoken": "bench",
                "client_id": str(uuid.uuid4()),
                "body": text,
                "headers": {
                    "HX-Request": "true",
                    "HX-Source": "form#composer",
                    "HX-Current-URL": "http://127.0.0.1/",
                    "HX-Target": "form#composer",
                },
            }
        ).encode()
    if wire == "tutorial":
        return json.dumps({"message": text}).encode()
    return text.encode()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(ordered: list[int], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1e6


async def connect_all(plan: dict[str, Any]) -> list[Client]:
    async def connect(spec: dict[str, Any]) -> Client:
        _transport, client = await picows.ws_connect(
            Client, spec["url"], extra_headers=spec["headers"], websocket_handshake_timeout=60
        )
        assert isinstance(client, Client)
        return client

    clients: list[Client] = []
    specs = plan["clients"]
    for start in range(0, len(specs), CONNECT_BATCH):
        clients += await asyncio.gather(*(connect(spec) for spec in specs[start : start + CONNECT_BATCH]))
    return clients


async def run_trial(
    plan: dict[str, Any], clients: list[Client], rate: float, duration: float, trial: int
) -> dict[str, Any]:
    wire, senders, room_sizes = plan["wire"], plan["senders"], plan["room_sizes"]
    rooms = [spec["room"] for spec in plan["clients"]]
    tally.reset(trial)
    count = max(1, int(rate * duration))
    interval_ns = 1e9 / rate
    expected = 0
    cpu_before = cpu_seconds()
    started = time.monotonic_ns()
    for i in range(count):
        due = started + int(i * interval_ns)
        now = time.monotonic_ns()
        if due > now + 1_000_000:  # timers are millisecond-grained: send what is due, then sleep
            await asyncio.sleep((due - now) / 1e9)
        sender = senders[i % len(senders)]
        clients[sender].transport.send(picows.WSMsgType.TEXT, frame_for(wire, body(trial, due)))
        expected += room_sizes[rooms[sender]]
    send_window = (time.monotonic_ns() - started) / 1e9
    deadline = time.monotonic() + DRAIN_SECONDS
    while tally.received < expected and time.monotonic() < deadline:  # noqa: ASYNC110 (polling a counter is the cheap way)
        await asyncio.sleep(0.01)
    ordered = sorted(tally.latencies_ns)
    return {
        "sent": count,
        "expected": expected,
        "received": tally.received,
        "seconds": max(duration, send_window),
        "p50": percentile(ordered, 0.50),
        "p90": percentile(ordered, 0.90),
        "p99": percentile(ordered, 0.99),
        "max": percentile(ordered, 1.0),
        "loadgen_cpu": cpu_seconds() - cpu_before,
    }


async def main() -> None:
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)  # the plan is one long line
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def answer(result: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()

    plan = json.loads(await reader.readline())
    clients = await connect_all(plan)
    answer({"connected": len(clients)})
    while line := await reader.readline():
        command = json.loads(line)
        if command.get("quit"):
            break
        answer(await run_trial(plan, clients, command["rate"], command["duration"], command["trial"]))
    for client in clients:
        client.transport.disconnect()


if __name__ == "__main__":
    uvloop.run(main())

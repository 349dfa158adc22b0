"""The load generator: many WebSocket clients in one process, on picows (a Cython client) and uvloop.

Driven by bench/__main__.py through JSON lines: the first line on stdin describes
the clients; each later line asks for one trial ({"rate": messages per second
in all, "duration": seconds, "trial": n}) and is answered with one line of
results. Every message carries a marker with its trial and the moment it was
due to be sent, so each receipt gives a latency; stamping the due time (not
the actual send) means a lagging generator makes figures worse, never better.

With `edit_every` N in the plan (the chat only), every Nth change is instead
an edit of one of its sender's own earlier messages, posted to the chat's
HTTP edit view as htmx would (session cookie, CSRF token, HX-Request) over a
few kept-alive connections on this same event loop (raw asyncio streams, no
client library); its new text carries the marker and due time, so the frame
that replaces the message on every page counts and times like a new one. A
sender learns its messages' ids from its own page: the frame that appends a
message it sent names the message's element.
"""

import asyncio
import json
import random
import resource
import string
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlsplit

import picows
import uvloop

MARKER = b"bench-"
BODY_BYTES = 128
CONNECT_BATCH = 100  # handshakes in flight at once: below uvicorn's listen backlog
DRAIN_SECONDS = 5.0  # after the last send, how long stragglers may take before they count as lost
EDITED = b"edited-"  # follows an edit's marker: its receipts are also counted apart
WARM_TRIAL = 0  # the trial number of the messages senders send first, to have something to edit; never counted
EDITABLE = 10  # a sender edits its latest messages, these many of them in turn
HTTP_CONNECTIONS = 32  # edits in flight at once, each on a kept-alive connection of its own
HTTP_IDLE_SECONDS = 3.0  # a connection idle this long is closed here, before the server's 5 s keep-alive does
MESSAGE_ELEMENT = b'<li id="message-'
# --text markdown: after the marker, what takes Markdown's whole parse (emphasis, strong, strikethrough,
# inline code, a bare URL linked); the marker stays the paragraph's first words, as it is in plain text.
MARKDOWN_TAIL = " **bold** _em_ ~~gone~~ `code` see https://example.com/a?b=1"
# --text chat: after the marker, one of these in turn, lines as people type them into a team's chat. Two in
# ten have Markdown's marks and two a link, which take the parse; the others are prose (full stops, commas,
# a time), which Markdown leaves as it is and so skips it (rooms/messages/formatting.py's is_plain).
CHAT_LINES = (
    " sounds good, I'll take a look after lunch.",
    " thanks! merged.",
    " can you check the logs on staging? it failed again at 3:40.",
    " see https://github.com/example/chat/pull/128 for the fix",
    " `make test` passes here, odd.",
    " ok",
    " I think it's the cache. Restarting it now...",
    " **heads up**: deploy at 5pm today",
    " lol yes",
    " docs are at https://docs.example.com/chat/bots",
)


@dataclass
class Tally:
    marker: bytes = MARKER + b"none-"  # starts this trial's markers: frames of other trials are not counted
    received: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    edit_latencies_ns: list[int] = field(default_factory=list)  # of those, the receipts of edits

    def reset(self, trial: int) -> None:
        self.marker, self.received, self.latencies_ns = b"%s%d-" % (MARKER, trial), 0, []
        self.edit_latencies_ns = []


tally = Tally()


class Client(picows.WSListener):
    transport: picows.WSTransport

    def __init__(self) -> None:
        super().__init__()
        # Only for a sender in a plan with edits: the keys ("trial-due") of the messages it sent whose ids it
        # has not yet seen, the ids of its latest messages (oldest first), and how many edits it has sent.
        self.awaiting: dict[bytes, None] = {}
        self.own: list[int] = []
        self.edits = 0

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
            latency = now - int(data[start:end])
            tally.latencies_ns.append(latency)
            tally.received += 1
            if data.startswith(EDITED, end + 1):
                tally.edit_latencies_ns.append(latency)
            position = data.find(prefix, end)
        if self.awaiting:
            self.learn_id(data)

    def learn_id(self, data: bytes) -> None:
        """If this frame appends one of the messages this client sent, remember its id (to edit it later)."""
        element = data.find(MESSAGE_ELEMENT)
        if element == -1:
            return
        id_start = element + len(MESSAGE_ELEMENT)
        id_end = data.find(b'"', id_start)
        marker = data.find(MARKER, id_end)
        if marker == -1:
            return
        key_start = marker + len(MARKER)
        key_end = data.find(b"-", data.find(b"-", key_start) + 1)
        key = data[key_start:key_end]
        if key in self.awaiting:
            del self.awaiting[key]
            self.own.append(int(data[id_start:id_end]))
            del self.own[:-EDITABLE]


def body(trial: int, due_ns: int, *, edited: bool = False, text: str = "plain") -> str:
    """A message of BODY_BYTES: the marker, then letters (plain), or letters and MARKDOWN_TAIL (markdown), or
    letters and one of CHAT_LINES (chat), which one told by the due time."""
    marker = f"{MARKER.decode()}{trial}-{due_ns}-{EDITED.decode() if edited else ''}"
    tail = {"markdown": MARKDOWN_TAIL, "chat": CHAT_LINES[due_ns // 1000 % len(CHAT_LINES)]}.get(text, "")
    return marker + "x" * max(1, BODY_BYTES - len(marker) - len(tail)) + tail


def message_key(trial: int, due_ns: int) -> bytes:
    return b"%d-%d" % (trial, due_ns)


class EditPoster:
    """Posts edits to the chat's edit view as htmx does, over kept-alive HTTP/1.1 connections on this loop.

    A pool of at most HTTP_CONNECTIONS, each carrying one request at a time
    (no pipelining, like a browser). A connection the server may be about to
    close for idleness is not reused; one it closed anyway, before answering
    anything, is replaced and the edit sent again (the server never read it).
    """

    def __init__(self, base_url: str) -> None:
        url = urlsplit(base_url)
        assert url.hostname
        assert url.port
        self.host, self.port = url.hostname, url.port
        self.origin = f"http://{self.host}:{self.port}"
        self.slots = asyncio.Semaphore(HTTP_CONNECTIONS)
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
        # Django's CSRF check wants the same secret in the cookie and the header; any 32 letters and digits do.
        self.csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.answers_ns: list[int] = []  # due to answered, for each edit answered 200
        self.failures: list[str] = []  # what went wrong, for each edit that was not answered 200

    def request(self, path: str, session: str, text: str) -> bytes:
        form = f"body={quote_plus(text)}".encode()
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            f"Origin: {self.origin}\r\n"
            f"Cookie: sessionid={session}; csrftoken={self.csrf}\r\n"
            f"X-CSRFToken: {self.csrf}\r\n"
            "HX-Request: true\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\n\r\n"
        )
        return head.encode() + form

    async def post(self, request: bytes, due_ns: int) -> None:
        try:
            async with self.slots:
                status = await self.send(request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            self.failures.append(repr(error))
            return
        if status == 200:
            self.answers_ns.append(time.monotonic_ns() - due_ns)
        else:
            self.failures.append(f"HTTP {status}")

    async def send(self, request: bytes) -> int:
        while self.idle:
            since, reader, writer = self.idle.pop()
            if time.monotonic() - since >= HTTP_IDLE_SECONDS:
                writer.close()
                continue
            try:
                return await self.exchange(reader, writer, request)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                if getattr(error, "partial", b""):
                    raise  # the server had begun to answer: it read the edit, so it is not sent again
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self.exchange(reader, writer, request)

    async def exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
        """One request and its answer; the connection goes back to the pool, or is closed if anything failed."""
        try:
            return await self.read_answer(reader, writer, request)
        except BaseException:
            writer.close()
            raise

    async def read_answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for header in header_lines:
            if header:
                name, _, value = header.partition(":")
                headers[name.strip().lower()] = value.strip().lower()
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            raise ValueError(f"an answer with neither a length nor chunks: {status_line}")
        if headers.get("connection") == "close":
            writer.close()
        else:
            self.idle.append((time.monotonic(), reader, writer))
        return status

    def reset(self) -> None:
        self.answers_ns, self.failures = [], []

    def close(self) -> None:
        for _since, _reader, writer in self.idle:
            writer.close()
        self.idle = []


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


def is_edit(i: int, senders: int, edit_every: int) -> bool:
    """Whether change i of a trial is an edit: one in `edit_every`, its sender turning round the senders."""
    return edit_every > 0 and (i + i // senders) % edit_every == edit_every - 1


async def warm_up(plan: dict[str, Any], clients: list[Client]) -> None:
    """Each sender sends a message (never counted) and learns its id, so that it has one to edit from the start."""
    for sender in plan["senders"]:
        due = time.monotonic_ns()
        clients[sender].awaiting[message_key(WARM_TRIAL, due)] = None
        text = body(WARM_TRIAL, due, text=plan.get("text", "plain"))
        clients[sender].transport.send(picows.WSMsgType.TEXT, frame_for(plan["wire"], text))
    deadline = time.monotonic() + 30
    while not all(clients[sender].own for sender in plan["senders"]):
        if time.monotonic() > deadline:
            raise RuntimeError("senders did not see their first messages within 30 s: nothing to edit")
        await asyncio.sleep(0.01)


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
    plan: dict[str, Any],
    clients: list[Client],
    poster: EditPoster | None,
    rate: float,
    duration: float,
    trial: int,
    kind: str,
) -> dict[str, Any]:
    wire, senders, room_sizes = plan["wire"], plan["senders"], plan["room_sizes"]
    specs = plan["clients"]
    edit_every = plan.get("edit_every", 0)
    tally.reset(trial)
    if poster is not None:
        poster.reset()
        for sender in senders:
            clients[sender].awaiting.clear()  # a message of an earlier trial still unseen is not waited for
    count = max(1, int(rate * duration))
    interval_ns = 1e9 / rate
    expected = edits = edits_expected = 0
    posts: set[asyncio.Task[None]] = set()
    cpu_before = cpu_seconds()
    started = time.monotonic_ns()
    for i in range(count):
        due = started + int(i * interval_ns)
        now = time.monotonic_ns()
        if due > now + 1_000_000:  # timers are millisecond-grained: send what is due, then sleep
            await asyncio.sleep((due - now) / 1e9)
        sender = senders[i % len(senders)]
        client, spec = clients[sender], specs[sender]
        if poster is not None and is_edit(i, len(senders), edit_every):
            message_id = client.own[-1 - client.edits % len(client.own)]  # its latest messages in turn
            client.edits += 1
            path = spec["edit_path"].format(message_id)
            request = poster.request(path, spec["session"], body(trial, due, edited=True, text=kind))
            task = asyncio.create_task(poster.post(request, due))
            posts.add(task)
            task.add_done_callback(posts.discard)
            edits += 1
            edits_expected += room_sizes[spec["room"]]
        else:
            if poster is not None:
                client.awaiting[message_key(trial, due)] = None
            client.transport.send(picows.WSMsgType.TEXT, frame_for(wire, body(trial, due, text=kind)))
        expected += room_sizes[spec["room"]]
    send_window = (time.monotonic_ns() - started) / 1e9
    deadline = time.monotonic() + DRAIN_SECONDS
    while (tally.received < expected or posts) and time.monotonic() < deadline:  # noqa: ASYNC110 (polling a counter is the cheap way)
        await asyncio.sleep(0.01)
    unanswered = len(posts)  # an edit still unanswered at the deadline is a failure, and its deliveries are lost
    for task in list(posts):
        task.cancel()
    ordered = sorted(tally.latencies_ns)
    result: dict[str, Any] = {
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
    if poster is not None:
        edit_ordered, answered = sorted(tally.edit_latencies_ns), sorted(poster.answers_ns)
        result.update(
            edits=edits,
            edits_expected=edits_expected,
            edits_received=len(edit_ordered),
            edits_p99=percentile(edit_ordered, 0.99),
            edits_answered=len(answered),
            edits_answer_p99=percentile(answered, 0.99),
            edit_failures=len(poster.failures) + unanswered,
            edit_failure_sample=sorted(set(poster.failures))[:3] + (["no answer in time"] if unanswered else []),
        )
    return result


async def main() -> None:
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)  # the plan is one long line
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def answer(result: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()

    plan = json.loads(await reader.readline())
    clients = await connect_all(plan)
    poster = None
    if plan.get("edit_every"):
        poster = EditPoster(plan["clients"][0]["url"])
        await warm_up(plan, clients)
    answer({"connected": len(clients)})
    while line := await reader.readline():
        command = json.loads(line)
        if command.get("quit"):
            break
        # A trial's text is the plan's unless the trial names its own (bench/__main__.py's paired search).
        kind = command.get("text", plan.get("text", "plain"))
        answer(await run_trial(plan, clients, poster, command["rate"], command["duration"], command["trial"], kind))
    if poster is not None:
        poster.close()
    for client in clients:
        client.transport.disconnect()


if __name__ == "__main__":
    uvloop.run(main())

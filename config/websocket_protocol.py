"""uvicorn's WebSocket protocol (websockets-sansio), lighter per idle socket and per broadcast frame.

A chat server holds many sockets that mostly wait, and sends the same frame
to many of them. Measured with tracemalloc (bench/README.md), uvicorn's
protocol keeps, for every socket's whole life, the handshake's request and
response with their headers (about 4 KiB, more with a browser's cookies) and
an asyncio.Queue plus two Events (five deques, about 4 KiB) for what is
nearly always zero or one message waiting. And it frames every text message
for every recipient again. This subclass:

- forgets the handshake once it is answered;
- keeps uvicorn's attributes and its own in slots: uvicorn sets more than
  CPython shares among instances, so each socket had a dict of its own;
- keeps incoming events in a deque that exists only while some wait, and
  its flow-control flag without a deque of waiters;
- frames a text message once for all the sockets it goes to: server frames
  are not masked, so without compression (off, config/serve.py) every
  recipient's bytes are the same. This is websockets.broadcast()'s trick;
- writes the frames of one batch of broadcasts (rooms/sockets/batches.py)
  in one system call, not one each;
- stops reading from a socket whose client does not read what it is sent,
  and drops it if that lasts: uvicorn only stops the application's sends
  while the write buffer is full, and answers every ping (and close) it
  reads into that buffer, without bound.

It leans on uvicorn's and websockets' internals, both pinned (requirements/):
tests/test_websocket_protocol.py holds it to them.
"""

import asyncio
import logging
from collections import deque
from typing import Any

from django.conf import settings
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from rooms.sockets.batches import at_batch_end

logger = logging.getLogger("rooms.sockets")


class Inbox:
    """What uvicorn uses of an asyncio.Queue (put_nowait, empty, get), for its one reader."""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: deque[Any] | None = None
        self.waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self.items is None:
            self.items = deque()
        self.items.append(item)
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self.items

    async def get(self) -> Any:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        item = self.items.popleft()
        if not self.items:
            self.items = None  # an empty deque is ~0.7 KiB: not kept while the socket idles
        return item


class Flag:
    """What uvicorn uses of an asyncio.Event (set, clear, wait), for `writable`."""

    __slots__ = ("value", "waiters")

    def __init__(self) -> None:
        self.value = True
        self.waiters: list[asyncio.Future[None]] | None = None

    def set(self) -> None:
        self.value = True
        waiters, self.waiters = self.waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self.value = False

    def is_set(self) -> bool:
        return self.value

    async def wait(self) -> bool:
        while not self.value:
            waiter = asyncio.get_running_loop().create_future()
            if self.waiters is None:
                self.waiters = []
            self.waiters.append(waiter)
            await waiter
        return True


_last_frame: tuple[str, bytes] = ("", b"")


def text_frame(text: str) -> bytes:
    """The frame for `text`: made once for a broadcast, whose one string goes to every socket in turn."""
    global _last_frame
    last_text, frame = _last_frame
    if text is not last_text:
        frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
        _last_frame = (text, frame)
    return frame


class ChatWebSocketProtocol(WebSocketsSansIOProtocol):
    # uvicorn sets 34 attributes on each instance and its handshake 3 more: past the 30 that
    # CPython shares among a class's instances, so each socket kept a dict table of its own,
    # about 1.5 KB (bench/README.md, session 11). A slot is 8 bytes. Every attribute set on an
    # open socket has one, so none has a dict: tests/test_websocket_protocol.py holds uvicorn to it.
    __slots__ = (  # noqa: RUF023 (in the order uvicorn sets them, to read beside its __init__)
        # uvicorn's __init__
        "config",
        "app",
        "loop",
        "logger",
        "root_path",
        "asgi_version",
        "app_state",
        "connections",
        "tasks",
        "default_headers",
        "transport",
        "server",
        "client",
        "scheme",
        "queue",
        "handshake_initiated",
        "handshake_complete",
        "close_sent",
        "disconnected",
        "close_timer",
        "close_timeout",
        "initial_response",
        "conn",
        "read_paused",
        "writable",
        "ping_interval",
        "ping_timeout",
        "ping_timer",
        "pong_timer",
        "pending_ping_payload",
        "ping_sent_at",
        "last_ping_rtt",
        "frames",
        "curr_msg_data_type",
        # uvicorn's handshake
        "request",
        "response",
        "scope",
        # ours
        "stall_timer",
        "batched",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag()  # type: ignore[assignment]
        # Set only while the client is not reading.
        self.stall_timer: asyncio.TimerHandle | None = None
        # Set only inside a batch, from its first frame for this socket to the batch's end.
        self.batched: list[bytes] | None = None

    async def send(self, message: Any) -> None:
        if (
            message["type"] == "websocket.send"
            and message.get("bytes") is None
            and (text := message.get("text")) is not None
            and self.writable.is_set()
            and self.handshake_complete
            and not (self.disconnected or self.close_sent or self.conn.extensions)
            and self.initial_response is None
            and self.conn.state is State.OPEN
            and not self.conn.expect_continuation_frame
        ):
            frame = text_frame(text)  # what uvicorn's send would write, made once
            if self.batched is not None:
                self.batched.append(frame)
            elif at_batch_end(self.write_batched):
                self.batched = [frame]
            else:
                self.transport.write(frame)
            return
        if self.batched is not None:  # what this socket was sent before goes first
            self.write_batched()
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            self.forget_handshake()

    def write_batched(self) -> None:
        """Write the frames kept in this batch, in one call; the batch calls this at its end."""
        if self.batched is None:  # written already, before a send that could not wait
            return
        frames, self.batched = self.batched, None
        if not self.transport.is_closing():
            self.transport.write(frames[0] if len(frames) == 1 else b"".join(frames))

    def forget_handshake(self) -> None:
        """Drop the handshake's request, response and scope: uvicorn reads them only until the accept."""
        self.request = self.response = None  # type: ignore[assignment]
        self.scope = None  # type: ignore[assignment]
        # websockets' server parser keeps the request in a local variable for as
        # long as it runs, which is the socket's life (PEP 667: this writes it).
        parser = getattr(self.conn, "parser", None)
        frame = getattr(parser, "gi_frame", None)
        if frame is not None and "request" in frame.f_locals:
            frame.f_locals["request"] = None

    async def receive(self) -> Any:
        """uvicorn's receive, which reads on once the application has taken what came; not while writes are stuck."""
        message = await self.queue.get()
        if self.read_paused and self.queue.empty():
            self.read_paused = False
            if self.stall_timer is None:
                self.transport.resume_reading()
        return message

    def pause_writing(self) -> None:
        """The client is not reading: read nothing more from it (no pong or reply to owe), and drop it if that lasts."""
        super().pause_writing()
        self.transport.pause_reading()
        self.stall_timer = self.loop.call_later(settings.SOCKET_STALL_TIMEOUT, self.drop_stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        self.cancel_stall_timer()
        if not self.read_paused:  # else the application has not taken what came yet: receive() reads on
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_stall_timer()
        super().connection_lost(exc)

    def cancel_stall_timer(self) -> None:
        if self.stall_timer is not None:
            self.stall_timer.cancel()
            self.stall_timer = None

    def drop_stalled(self) -> None:
        """Abort: a close frame could not get past the unread bytes, and closing waits for them to be sent."""
        self.stall_timer = None
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        unread = self.transport.get_write_buffer_size()
        logger.warning("dropped socket of %s: %d bytes unread for %s s", client, unread, settings.SOCKET_STALL_TIMEOUT)
        self.transport.abort()

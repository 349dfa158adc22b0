"""uvicorn's httptools HTTP protocol, with a deadline and a size limit for a request's headers.

uvicorn arms its keep-alive timer only after a response, and cancels it on any
byte received: a client that connects and sends nothing, or trickles its headers
a byte at a time, holds the connection (and a file descriptor) for ever; and the
httptools parser takes headers of any size. This subclass closes a connection
whose request headers are not complete HEADER_TIMEOUT seconds after it opened
(or after its previous response), and answers 431 to headers over
MAX_HEADER_BYTES. WebSockets are unaffected once their handshake is read.

It leans on uvicorn's internals (pinned in requirements/base.in):
tests/test_slow_clients.py holds it to them.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT = 10.0  # a browser sends its headers at once; a phone on a bad line, in a second or two
MAX_HEADER_BYTES = 64 * 1024  # nginx's own default allows 32 KiB; browsers' cookies stay well under


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_deadline: asyncio.TimerHandle | None = None
        self.header_bytes = 0  # received since the request began, while its headers are not complete
        self.awaiting_headers = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_awaiting_headers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.awaiting_headers:
            self.header_bytes += len(data)
            if self.header_bytes > MAX_HEADER_BYTES:
                self._refuse_large_headers()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._stop_awaiting_headers()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_headers()  # the next request on this connection gets the same bound

    def _await_headers(self) -> None:
        self._stop_awaiting_headers()
        self.awaiting_headers = True
        self.header_bytes = 0
        self.header_deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

    def _stop_awaiting_headers(self) -> None:
        self.awaiting_headers = False
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            # No answer: the request never finished, and a slow client is not owed one.
            self.transport.close()

    def _refuse_large_headers(self) -> None:
        self._stop_awaiting_headers()
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: 33\r\n\r\n"
            b"Request headers are over 64 KiB.\n"
        )
        self.transport.close()

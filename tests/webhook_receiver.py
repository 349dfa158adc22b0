"""A webhook's far end on 127.0.0.1: what the chat sent it, and the statuses it answers with, in turn."""

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    url: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in turn; then 204
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)  # headers (lowercased), body
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def receiving(tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1; over HTTPS with `tls` (its certificate's), addressed as localhost."""
    far_end = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            far_end.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = far_end.statuses.pop(0) if far_end.statuses else 204
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")  # not to be followed
            self.send_header("Content-Length", "0")
            self.end_headers()
            far_end.arrived.set()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    far_end.url = f"https://localhost:{port}/hooks/chat" if tls else f"http://127.0.0.1:{port}/hooks/chat?room=design"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield far_end
    finally:
        server.shutdown()
        server.server_close()

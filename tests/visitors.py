"""A plain HTTP visitor with cookies, for tests that talk to real servers without a browser."""

import base64
import http.cookiejar
import os
import re
import socket
import struct
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any

from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from tests.conftest import PASSWORD


class Visitor:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=10) as response:
            return str(response.read().decode())

    def submit(self, path: str, fields: dict[str, str], *, action: str | None = None) -> str:
        """Fill in and send a form of the page at `path` (to `action`, by default the page itself) as a browser
        would, CSRF token included; returns where it landed."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        assert token is not None, f"no form at {path}"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        with self.opener.open(self.base_url + (action or path), data=data, timeout=10) as response:
            return str(response.url)

    def sign_up(self, name: str = "") -> str:
        username = name or f"user{uuid.uuid4().hex[:8]}"
        fields = {"username": username, "display_name": "", "password1": PASSWORD, "password2": PASSWORD}
        self.submit("/accounts/signup/", fields)
        return username

    def enter_room(self, name: str) -> str:
        """Enter (and join) a room from the lobby; returns the room's path."""
        return urllib.parse.urlsplit(self.submit("/", {"name": name})).path

    def open_socket(self, room_path: str, **headers: str) -> ClientConnection:
        """The visitor's socket in a room, as tests of messages read it: frames of who is here and who is typing
        are set aside (see open_socket_seeing_all)."""
        return self._connect(room_path, MessagesOnly, headers)

    def open_socket_seeing_all(self, room_path: str, **headers: str) -> ClientConnection:
        """The visitor's socket in a room, every frame of it, who is here and who is typing included."""
        return self._connect(room_path, ClientConnection, headers)

    def _connect(self, room_path: str, kind: type[ClientConnection], headers: dict[str, str]) -> ClientConnection:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        ws_url = self.base_url.replace("http://", "ws://") + "/ws" + room_path
        # legacy=True: connect now and return the connection (callers close it, or use it in a with block).
        return connect(
            ws_url,
            origin=Origin(self.base_url),
            additional_headers={"Cookie": cookie, **headers},
            legacy=True,
            create_connection=kind,
        )


# How every frame of who is here and who is typing starts (templates/rooms/presence.html), and no other does.
EPHEMERAL = re.compile(r'<(?:ul id="(?:people-here-list|typists)"|li id="person-\d+")')


def is_ephemeral(frame: str) -> bool:
    return EPHEMERAL.match(frame) is not None


class MessagesOnly(ClientConnection):
    """A room socket whose frames of who is here and who is typing are set aside: what tests of messages read."""

    def recv(self, timeout: float | None = None, decode: bool | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            frame = super().recv(timeout=remaining, decode=decode)
            if not (isinstance(frame, str) and is_ephemeral(frame)):
                return frame


def frames_until(socket: ClientConnection, text: str, *, timeout: float = 10) -> str:
    """The frames this socket receives until one holds `text`, joined; TimeoutError if none does in time.

    A sender's page gets its composer and its message as two frames, in either order.
    """
    frames: list[str] = []
    deadline = time.monotonic() + timeout
    while not frames or text not in frames[-1]:
        frames.append(str(socket.recv(timeout=max(0.0, deadline - time.monotonic()))))
    return "\n".join(frames)


def open_unread_socket(visitor: Visitor, room_path: str) -> socket.socket:
    """The visitor's socket in a room, opened by hand and then never read (see unread_socket)."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in visitor.cookies)
    return unread_socket(visitor.base_url, "/ws" + room_path, Origin=visitor.base_url, Cookie=cookie)


def unread_socket(base_url: str, path: str, *, receive_buffer: int = 4096, **headers: str) -> socket.socket:
    """A WebSocket that is never read: a plain TCP socket past the handshake, nothing of the server's read since.

    The small receive buffer makes the server's bytes back up after a few KiB,
    where a browser's would after megabytes.
    """
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    raw.settimeout(10)
    raw.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade"]
    lines += [f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *(f"{k}: {v}" for k, v in headers.items())]
    raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += raw.recv(1)  # byte by byte: nothing past the handshake is read
    assert response.startswith(b"HTTP/1.1 101"), response
    return raw


def ping_frame(payload: bytes = b"p" * 125) -> bytes:
    """A client's ping (masked, as a client's frames must be; an all-zero mask leaves the payload as it is)."""
    return bytes([0x89, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


def is_dropped(raw: socket.socket) -> bool:
    """Whether the server has ended this (non-blocking) TCP connection, found without reading: by sending a ping.

    A reset sent to a client whose receive window is shut is ignored by its
    kernel (RFC 5961), until the client sends and the server resets again.
    """
    try:
        raw.send(ping_frame(b""))
    except BlockingIOError:
        return False  # not taken: the server has stopped reading from it
    except OSError:
        return True
    established = 1
    return bool(struct.unpack("B", raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1))[0] != established)

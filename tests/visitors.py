"""A plain HTTP visitor with cookies, for tests that talk to real servers without a browser."""

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
import uuid

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
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        ws_url = self.base_url.replace("http://", "ws://") + "/ws" + room_path
        # legacy=True: connect now and return the connection (callers close it, or use it in a with block).
        return connect(
            ws_url, origin=Origin(self.base_url), additional_headers={"Cookie": cookie, **headers}, legacy=True
        )


def frames_until(socket: ClientConnection, text: str, *, timeout: float = 10) -> str:
    """The frames this socket receives until one holds `text`, joined; TimeoutError if none does in time.

    A sender's page gets its composer and its message as two frames, in either order.
    """
    frames: list[str] = []
    deadline = time.monotonic() + timeout
    while not frames or text not in frames[-1]:
        frames.append(str(socket.recv(timeout=max(0.0, deadline - time.monotonic()))))
    return "\n".join(frames)

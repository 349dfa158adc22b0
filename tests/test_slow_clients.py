"""Slow clients: the chat's own server bounds how long a request's headers may take, and nginx
(docs/nginx.conf, the configuration README recommends in front of it) cuts off trickling clients."""

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config.http_protocol import HEADER_TIMEOUT, MAX_HEADER_BYTES
from tests.servers import ROOT, free_port
from tests.services import require_nginx
from tests.visitors import Visitor, frames_until

NGINX_HEADER_TIMEOUT = 10.0  # client_header_timeout in docs/nginx.conf
MARGIN = 3.0


@pytest.fixture
def proxy(server: str, tmp_path: Path) -> Iterator[str]:
    nginx = require_nginx()
    with nginx_in_front_of(server, nginx=nginx, directory=tmp_path / "nginx") as url:
        yield url


@contextmanager
def nginx_in_front_of(server: str, *, nginx: str, directory: Path) -> Iterator[str]:
    """Debian's nginx, unprivileged and in the foreground, on docs/nginx.conf with a free port and `server` behind."""
    directory.mkdir()
    port = free_port()
    config = (ROOT / "docs" / "nginx.conf").read_text()
    config = config.replace("server 127.0.0.1:8000;", f"server {server.removeprefix('http://')};")
    config = config.replace("listen 80;", f"listen 127.0.0.1:{port};")
    # Where a root-installed nginx would write: inside the test's directory instead.
    temp_paths = "".join(f"    {kind}_temp_path {directory / kind};\n" for kind in TEMP_PATHS)
    config = config.replace("http {\n", f"http {{\n{temp_paths}    access_log {directory / 'access.log'};\n", 1)
    for replaced in (str(directory), f":{port};", server.removeprefix("http://")):
        assert replaced in config, "docs/nginx.conf no longer has the lines replaced here"
    (directory / "nginx.conf").write_text(config)
    log = (directory / "nginx.log").open("w")
    process = subprocess.Popen(
        [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", *global_directives(directory)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_listening(port, process, directory / "nginx.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


TEMP_PATHS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]


def global_directives(directory: Path) -> list[str]:
    directives = f"daemon off; pid {directory / 'nginx.pid'}; error_log stderr;"
    # As root (CI), nginx would hand its workers to a user that cannot read the test's directory.
    return [directives + (" user root;" if is_root() else "")]


def is_root() -> bool:
    return os.geteuid() == 0


def wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen within 10 s:\n{log.read_text()}")


def seconds_until_closed(connection: socket.socket, *, trickle: bytes, limit: float) -> float:
    """Send `trickle` a byte a second (then nothing) until the peer closes; how long that took."""
    started = time.monotonic()
    connection.settimeout(1.0)
    unsent = list(trickle)
    while (took := time.monotonic() - started) < limit:
        try:
            if unsent:
                connection.send(bytes([unsent.pop(0)]))
            if connection.recv(4096) == b"":
                return took
        except TimeoutError:
            continue  # nothing yet: the next byte
        except (ConnectionResetError, BrokenPipeError):
            return took
    raise AssertionError(f"still open after {limit} s")


TRICKLED_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"s" * 60


def test_a_page_and_a_room_socket_work_through_nginx(proxy: str) -> None:
    visitor = Visitor(proxy)
    visitor.sign_up()
    room = visitor.enter_room("Proxied")

    assert "Proxied" in visitor.get(room)
    with visitor.open_socket(room) as sent_through_nginx:
        sent_through_nginx.send(json.dumps({"body": "through nginx"}))
        frames_until(sent_through_nginx, "through nginx", timeout=5)
    assert "through nginx" in visitor.get(room)


def test_nginx_cuts_off_a_client_that_trickles_its_headers_a_byte_a_second(proxy: str) -> None:
    port = int(proxy.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as trickler:
        took = seconds_until_closed(trickler, trickle=TRICKLED_REQUEST, limit=NGINX_HEADER_TIMEOUT + MARGIN)

    assert NGINX_HEADER_TIMEOUT - 1 <= took <= NGINX_HEADER_TIMEOUT + MARGIN


def test_the_server_closes_connections_whose_headers_never_finish_within_its_bound(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    # One sends half a request and waits; one trickles (each byte would restart uvicorn's keep-alive timer).
    with (
        socket.create_connection(("127.0.0.1", port)) as silent,
        socket.create_connection(("127.0.0.1", port)) as trickler,
    ):
        silent.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        took = seconds_until_closed(trickler, trickle=TRICKLED_REQUEST, limit=HEADER_TIMEOUT + MARGIN)
        silent.settimeout(MARGIN)
        assert silent.recv(4096) == b"", "the silent one is closed by then too, without an answer"

    assert HEADER_TIMEOUT - 1 <= took <= HEADER_TIMEOUT + MARGIN
    assert Visitor(server).get("/healthz"), "and the server still serves"


def test_headers_over_the_server_s_limit_are_refused_with_431(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"x" * MAX_HEADER_BYTES + b"\r\n\r\n")
        answer = client.recv(4096)

    assert re.match(rb"HTTP/1.1 431 ", answer)
    assert b"Request headers are over 64 KiB." in answer

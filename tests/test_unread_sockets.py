"""Clients that do not read what the server sends them, against config/serve.py: they cannot grow the server,
and they are dropped within SOCKET_STALL_TIMEOUT, giving their places back (config/websocket_protocol.py)."""

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from websockets.sync.client import ClientConnection

from rooms.sockets.consumer import MAX_SOCKETS_PER_USER
from tests.servers import live_database, process_of, uvicorn_server
from tests.visitors import Visitor, frames_until, is_dropped, open_unread_socket, ping_frame

STALL_TIMEOUT = 2.0
# Time a test waits for a drop, well past STALL_TIMEOUT: the client's and the server's buffers fill first.
PATIENCE = 15.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    environment = {
        "SOCKET_STALL_TIMEOUT": str(STALL_TIMEOUT),
        "MESSAGE_RATE_LIMIT": "1000 per second",
        "ROOM_MESSAGE_RATE_LIMIT": "1000 per second",  # one person floods the room on purpose
    }
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "server.log", environment=environment) as url,
    ):
        yield url


def resident_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def say(page: ClientConnection, body: str) -> None:
    """Send `body` and read until it is back: a page that keeps up."""
    page.send(json.dumps({"body": body}))
    frames_until(page, body[:50], timeout=5)


def test_a_client_that_pings_and_never_reads_is_dropped_without_growing_the_server(server: str) -> None:
    ana, ben = Visitor(server), Visitor(server)
    ana.sign_up()
    ben.sign_up()
    room = ana.enter_room("Pings")
    ben.enter_room("Pings")
    pid = process_of(server).pid
    with ben.open_socket(room) as bens, contextlib.closing(open_unread_socket(ana, room)) as anas:
        say(bens, "before the flood")
        before = peak = resident_mib(pid)
        anas.settimeout(0.1)
        pings = ping_frame() * 500  # each answered by a pong, which ana never reads
        started = time.monotonic()
        dropped_after: float | None = None
        while dropped_after is None and time.monotonic() - started < PATIENCE:
            try:
                anas.send(pings)
            except TimeoutError:
                pass  # the server has stopped reading from her
            except OSError:  # reset: the server dropped her socket
                dropped_after = time.monotonic() - started
            peak = max(peak, resident_mib(pid))
            say(bens, f"during the flood {time.monotonic()}")
        say(bens, "after the flood")
    assert peak - before < 30, f"the server grew from {before:.0f} to {peak:.0f} MiB"
    assert dropped_after is not None, f"still open after {PATIENCE} s of pings"
    assert dropped_after < STALL_TIMEOUT + 5


def test_a_page_that_stops_reading_in_a_busy_room_is_dropped_and_its_place_given_back(
    server: str, tmp_path: Path
) -> None:
    ana, ben = Visitor(server), Visitor(server)
    ana.sign_up()
    ben.sign_up()
    room = ana.enter_room("Busy")
    ben.enter_room("Busy")
    stuck = [open_unread_socket(ana, room) for _ in range(MAX_SOCKETS_PER_USER)]
    for raw in stuck:
        raw.setblocking(False)
    with pytest.raises(websockets.InvalidStatus):
        ana.open_socket(room)  # the cap holds: her stuck pages fill it
    with ben.open_socket(room) as bens:
        started = time.monotonic()
        while not all(is_dropped(raw) for raw in stuck) and time.monotonic() - started < PATIENCE:
            say(bens, f"{time.monotonic()} " + "busy " * 700)
    for raw in stuck:
        raw.close()
    assert time.monotonic() - started < PATIENCE, "her pages that stopped reading are still open"
    log = (tmp_path / "server.log").read_text()
    assert "dropped socket of 127.0.0.1:" in log
    assert "Traceback" not in log

    with contextlib.ExitStack() as pages:
        anas = [pages.enter_context(ana.open_socket(room)) for _ in range(MAX_SOCKETS_PER_USER)]
        with ben.open_socket(room) as bens:
            say(bens, "welcome back")
        assert "welcome back" in frames_until(anas[-1], "welcome back")

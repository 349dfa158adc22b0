"""config/websocket_protocol.py, held to the uvicorn and websockets it leans on, in a real server in this process."""

import asyncio
import contextlib
import gc
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from pytest_django.fixtures import Settings
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request
from websockets.sync.client import ClientConnection, connect

from config.serve import SERVER_OPTIONS
from config.websocket_protocol import ChatWebSocketProtocol
from rooms.sockets.batches import one_batch
from tests.visitors import is_dropped, unread_socket

pages: list[Any] = []  # the `send` of each open socket


async def relay(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Each text frame goes, as one string, to every socket open (a broadcast); "burst N" sends N frames back;
    "batch N" sends N frames to every socket in one batch (rooms/sockets/batches.py), "batch N close" then
    closes the sender's socket in the same batch."""
    del scope  # keeps nothing of the handshake, as the chat's consumer
    await receive()
    await send({"type": "websocket.accept"})
    pages.append(send)
    try:
        while (event := await receive())["type"] == "websocket.receive":
            text = event["text"]
            if text.startswith("burst "):
                for n in range(int(text.split()[1])):
                    await send({"type": "websocket.send", "text": f"{n:08d}" + "x" * 10_000})
                continue
            if text.startswith("batch "):
                hand_out_in_one_batch(send, text)
                continue
            for page in list(pages):
                await page({"type": "websocket.send", "text": text})
    finally:
        pages.remove(send)


def hand_out_in_one_batch(sender: Any, command: str) -> None:
    """As the chat's fan-out does: each send an eager task, done at once unless it must wait."""
    _, count, *close = command.split()
    loop = asyncio.get_running_loop()
    with one_batch():
        for n in range(int(count)):
            for page in list(pages):
                asyncio.eager_task_factory(loop, page({"type": "websocket.send", "text": f"{n} " + "z" * n * 100}))
        if close:
            asyncio.eager_task_factory(loop, sender({"type": "websocket.close", "code": 4000}))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    options = {**SERVER_OPTIONS, "ws_max_size": 1024 * 1024, "log_level": "warning"}
    assert options["ws"] == "config.websocket_protocol:ChatWebSocketProtocol"
    uvicorn_server = uvicorn.Server(uvicorn.Config(relay, **options))  # type: ignore[arg-type]
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not uvicorn_server.started:
        time.sleep(0.01)
    yield f"ws://127.0.0.1:{listener.getsockname()[1]}/"
    uvicorn_server.should_exit = True
    thread.join(10)
    listener.close()


def open_socket(server: str, **headers: str) -> ClientConnection:
    return connect(server, additional_headers=headers, max_size=None, compression=None)


def test_a_broadcast_reaches_every_socket_whole_and_in_order_whatever_its_length(server: str) -> None:
    # The three lengths a frame header can encode: 7 bits, 16 bits, 64 bits.
    texts = [f"{n} é 한" + "y" * size for n, size in enumerate([0, 100, 125, 126, 5_000, 65_535, 65_536, 200_000])]
    with open_socket(server) as ana, open_socket(server) as ben, open_socket(server) as cy:
        for text in texts:
            ana.send(text)
        for page in (ana, ben, cy):
            assert [page.recv(timeout=5) for _ in texts] == texts


def test_frames_sent_in_one_batch_reach_every_socket_whole_and_in_order(server: str) -> None:
    with open_socket(server) as ana, open_socket(server) as ben:
        ana.send("batch 40")
        for page in (ana, ben):
            assert [page.recv(timeout=5) for _ in range(40)] == [f"{n} " + "z" * n * 100 for n in range(40)]


def test_a_close_in_a_batch_comes_after_the_frames_sent_before_it(server: str) -> None:
    with open_socket(server) as ana, open_socket(server) as ben:
        ana.send("batch 5 close")
        assert [ana.recv(timeout=5) for _ in range(5)] == [f"{n} " + "z" * n * 100 for n in range(5)]
        with pytest.raises(ConnectionClosed) as closed:
            ana.recv(timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4000
        assert [ben.recv(timeout=5) for _ in range(5)] == [f"{n} " + "z" * n * 100 for n in range(5)]


def test_a_page_slow_to_read_gets_everything_once_it_reads(server: str) -> None:
    with open_socket(server) as page:
        page.send("burst 300")  # ~3 MB: more than the socket buffers, so the server waits until the page reads
        time.sleep(1)
        frames = [page.recv(timeout=10) for _ in range(300)]
    assert [frame[:8] for frame in frames] == [f"{n:08d}" for n in range(300)]


def test_nothing_of_the_handshake_is_kept_once_the_socket_is_open(server: str) -> None:
    marker = str(uuid.uuid4())
    with open_socket(server, **{"X-Marker": marker}) as page:
        page.send("hello")
        assert page.recv(timeout=5) == "hello"
        the_client_s_own = (page.request, page.request.headers)  # type: ignore[union-attr]

        def the_server_s_copy(thing: object) -> bool:
            if any(thing is own for own in the_client_s_own):
                return False
            # type(), not isinstance(): gc's list holds dead weak proxies, which isinstance() trips on.
            if type(thing) is Request:
                return bool(thing.headers.get("X-Marker") == marker)
            return type(thing) is Headers and thing.get("X-Marker") == marker

        kept = [thing for thing in gc.get_objects() if the_server_s_copy(thing)]
        assert kept == []


def test_an_open_socket_keeps_every_attribute_in_a_slot_none_in_a_dict_of_its_own(server: str) -> None:
    # A dict of its own is ~1.5 KB a socket (bench/README.md): an attribute uvicorn adds in an
    # upgrade shows here, to be given its slot.
    with open_socket(server) as ana, open_socket(server) as ben:
        ana.send("batch 2")  # every path an idle socket has been down: accepted, sent to, batched
        for page in (ana, ben):
            assert [page.recv(timeout=5) for _ in range(2)] == ["0 ", "1 " + "z" * 100]
        gc.collect()  # the sockets of earlier tests, closed, may wait in a cycle until then
        protocols = [
            thing for thing in gc.get_objects() if type(thing) is ChatWebSocketProtocol and not thing.disconnected
        ]
        assert len(protocols) == 2
        assert [vars(protocol) for protocol in protocols] == [{}, {}]


def test_a_socket_that_stops_reading_is_dropped_while_others_carry_on(server: str, settings: Settings) -> None:
    settings.SOCKET_STALL_TIMEOUT = 1.0
    with open_socket(server) as other, contextlib.closing(unread_socket(server.replace("ws:", "http:"), "/")) as stuck:
        stuck.sendall(text_frame_from_client("burst 1000"))  # ~10 MB back, more than the kernel buffers hold
        other.send("still here")
        assert other.recv(timeout=5) == "still here"
        stuck.setblocking(False)
        deadline = time.monotonic() + 5
        while not is_dropped(stuck) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert is_dropped(stuck)


def test_a_page_that_reads_again_before_the_timeout_is_read_again_too(server: str) -> None:
    with open_socket(server) as page:
        page.send("burst 300")
        time.sleep(1)
        for _ in range(300):
            page.recv(timeout=10)
        page.send("answered")
        assert page.recv(timeout=5) == "answered"


def text_frame_from_client(text: str) -> bytes:
    data = text.encode()
    assert len(data) < 126
    return bytes([0x81, 0x80 | len(data)]) + b"\0\0\0\0" + data

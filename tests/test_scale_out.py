"""Scaling out: three server processes on one database and one Redis, as if behind one address.

A load balancer is played by hand: each person's browser (one cookie jar) is
sent to the processes round-robin. People in one room, connected to different
processes, send at once; every page shows every message once, in the room's
order, and nothing reaches a page in another room.
"""

import json
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection

from tests.servers import live_database, uvicorn_server
from tests.services import require_redis
from tests.test_faults import SEQ
from tests.visitors import Visitor

pytestmark = pytest.mark.redis

MESSAGE_ID = re.compile(r'id="message-(\d+)"')
SOCKET_CURSOR = re.compile(r'hx-ws:connect="[^"?]*(\?after=\d+)"')

# How long a page must hear nothing more, once it has every message, for a late repeat to count as absent.
QUIET_SECONDS = 0.5

# Within the servers' default rate limit (10 messages per 10 s per person), so that none is refused.
PEOPLE_IN_ROOM, SENDERS, MESSAGES_EACH = 6, 4, 6
PEOPLE_NEXT_DOOR, MESSAGES_NEXT_DOOR = 2, 2


def through(server: str, person: Visitor) -> Visitor:
    """The same browser (the same cookies) reaching another process, as a load balancer would send it there."""
    moved = Visitor(server)
    for cookie in person.cookies:
        moved.cookies.set_cookie(cookie)
    return moved


def open_page_socket(person: Visitor, room: str) -> ClientConnection:
    """Load the room page and open its socket as the page does, with the cursor the page gives (`?after=`)."""
    cursor = SOCKET_CURSOR.search(person.get(room))
    assert cursor is not None, f"the page of {room} is not live"
    return person.open_socket(room + cursor.group(1))


def compose(body: str, page_url: str) -> str:
    """A frame as htmx 4's hx-ws extension sends the composer, with a fresh client id as composer.js adds."""
    headers = {
        "HX-Request": "true",
        "HX-Source": "form#composer",
        "HX-Current-URL": page_url,
        "HX-Target": "form#composer",
    }
    return json.dumps({"csrfmiddlewaretoken": "x", "client_id": str(uuid.uuid4()), "body": body, "headers": headers})


def message_ids_seen(socket: ClientConnection, *, count: int, timeout: float = 15) -> list[int]:
    """The ids of the messages this page is sent, in the order it is sent them, repeats included.

    Listens until `count` different messages have come and then nothing more for
    QUIET_SECONDS, or until `timeout` (the assertions on what was seen say what is missing).
    """
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        wait = min(remaining, QUIET_SECONDS) if len(set(seen)) >= count else remaining
        try:
            frame = str(socket.recv(timeout=wait))
        except TimeoutError:
            break
        seen += [int(n) for n in MESSAGE_ID.findall(frame)]
    return seen


def test_three_processes_behind_one_address_every_page_shows_every_message_once_in_the_room_order(
    tmp_path: Path,
) -> None:
    redis_url = require_redis()
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "c.log") as server_c,
    ):
        servers = [server_a, server_b, server_c]
        newcomers = [Visitor(server_a) for _ in range(PEOPLE_IN_ROOM + PEOPLE_NEXT_DOOR)]
        for newcomer in newcomers:
            newcomer.sign_up()
        # From here on, each person is served by the process the balancer picks for them.
        people = [through(servers[n % len(servers)], newcomer) for n, newcomer in enumerate(newcomers)]
        crowd, neighbours = people[:PEOPLE_IN_ROOM], people[PEOPLE_IN_ROOM:]
        room = crowd[0].enter_room("Scale out")
        for person in crowd[1:]:
            assert person.enter_room("Scale out") == room
        next_door = neighbours[0].enter_room("Next door")
        for person in neighbours[1:]:
            assert person.enter_room("Next door") == next_door
        crowd_sockets = [open_page_socket(person, room) for person in crowd]
        neighbour_sockets = [open_page_socket(person, next_door) for person in neighbours]

        # The first SENDERS people of the room (on every process) and one next door all send at once.
        sends = [
            (crowd[s], crowd_sockets[s], room, [f"message {m} from sender {s}" for m in range(MESSAGES_EACH)])
            for s in range(SENDERS)
        ]
        assert {person.base_url for person, *_ in sends} == set(servers), "people send through every process"
        bodies_next_door = [f"next door message {m}" for m in range(MESSAGES_NEXT_DOOR)]
        sends.append((neighbours[-1], neighbour_sockets[-1], next_door, bodies_next_door))
        start = threading.Barrier(len(sends))

        def send_all(person: Visitor, socket: ClientConnection, room_path: str, bodies: list[str]) -> None:
            start.wait(timeout=10)
            for body in bodies:
                socket.send(compose(body, person.base_url + room_path))

        with ThreadPoolExecutor(len(sends)) as pool:
            for sent in [pool.submit(send_all, *send) for send in sends]:
                sent.result()

        total = SENDERS * MESSAGES_EACH
        with ThreadPoolExecutor(len(crowd_sockets)) as pool:
            crowd_saw = list(pool.map(lambda socket: message_ids_seen(socket, count=total), crowd_sockets))
        # Only now, with the room's messages all delivered on every process, is silence next door telling.
        with ThreadPoolExecutor(len(neighbour_sockets)) as pool:
            neighbours_saw = list(
                pool.map(lambda socket: message_ids_seen(socket, count=MESSAGES_NEXT_DOOR), neighbour_sockets)
            )
        for socket in crowd_sockets + neighbour_sockets:
            socket.close()

        # The history, read afterwards from a process other than the one where everybody signed up.
        page = crowd[2].get(room)
        history = [int(n) for n in MESSAGE_ID.findall(page)]
        assert [int(n) for n in SEQ.findall(page)] == list(range(1, total + 1)), "saved in one gapless order"
        for *_, bodies in sends[:SENDERS]:
            for body in bodies:
                assert page.count(body) == 1, f"{body!r} is saved once"
        neighbour_page = neighbours[0].get(next_door)
        history_next_door = [int(n) for n in MESSAGE_ID.findall(neighbour_page)]
        assert len(history_next_door) == MESSAGES_NEXT_DOOR

    for n, seen in enumerate(crowd_saw):
        where = f"page {n} of the room, on {people[n].base_url}"
        repeated = [pk for pk, times in Counter(seen).items() if times > 1]
        assert not repeated, f"{where} was sent messages {repeated} more than once"
        assert seen == history, f"{where} shows the messages as the room's history does, in that order"
    for n, seen in enumerate(neighbours_saw):
        where = f"page {n} next door, on {neighbours[n].base_url}"
        assert not set(seen) & set(history), f"{where} was sent messages of another room"
        assert seen == history_next_door, f"{where} shows its own room's messages once, in order"
    for log in ("a.log", "b.log", "c.log"):
        text = (tmp_path / log).read_text()
        assert "Traceback" not in text, text

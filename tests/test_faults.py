"""Faults, each against real servers: Redis stopping, a locked database, clients vanishing, a crowd of senders."""

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from websockets.sync.client import ClientConnection

from tests.servers import free_port, live_database, uvicorn_server
from tests.services import require, require_redis
from tests.visitors import Visitor, frames_until

SEQ = re.compile(r'data-seq="(\d+)"')


def seqs_seen(socket: ClientConnection, *, until: int, timeout: float = 10) -> list[int]:
    """The sequence numbers of the messages this page is sent, in the order it is sent them, up to `until`."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while (not seen or seen[-1] < until) and time.monotonic() < deadline:
        try:
            frame = str(socket.recv(timeout=deadline - time.monotonic()))
        except TimeoutError:
            break  # the assertion on what was seen says what is missing
        seen += [int(n) for n in SEQ.findall(frame)]
    return seen


@contextmanager
def disposable_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of this test's own (never the shared one), so that it can be stopped."""
    executable = shutil.which("redis-server")
    require(executable is not None, "redis-server (Debian's redis-server package)")
    assert executable is not None
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "the disposable redis-server did not start"
            time.sleep(0.05)
    try:
        yield process
    finally:
        client.close()
        process.send_signal(signal.SIGKILL)
        process.wait()


def test_while_redis_is_down_messages_are_saved_and_every_page_gets_them_once_it_is_back(tmp_path: Path) -> None:
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    with (
        live_database(tmp_path) as database_url,
        disposable_redis(port) as redis_server,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
    ):
        ana, ben = Visitor(server_a), Visitor(server_b)
        for visitor in (ana, ben):
            visitor.sign_up()
        room = ana.enter_room("Weather")
        ben.enter_room("Weather")
        ana_socket = ana.open_socket(room)
        ana_socket.send(json.dumps({"body": "before the storm"}))
        frames_until(ana_socket, "before the storm", timeout=5)

        redis_server.send_signal(signal.SIGKILL)
        redis_server.wait()
        ana_socket.send(json.dumps({"body": "during the storm"}))
        frames_until(ana_socket, "during the storm")  # the sender sees it (from the database); nobody else is told yet
        assert "during the storm" in ben.get(room), "it is saved, and pages keep being served"
        # A page opening now, with Redis still down, still gets what it lacks from the database.
        ben_socket = ben.open_socket(room + "?after=1")
        frames_until(ben_socket, "during the storm", timeout=5)

        with disposable_redis(port):
            # Both sockets rejoin their room; what is sent now reaches everyone again.
            ana_socket.send(json.dumps({"body": "after the storm"}))
            frames_until(ana_socket, "after the storm", timeout=5)
            seen = frames_until(ben_socket, "after the storm", timeout=40)
            assert "during the storm" not in seen, "nothing twice"
            ana_socket.close()
            ben_socket.close()
    for log in ("a.log", "b.log"):
        text = (tmp_path / log).read_text()
        assert "Traceback" not in text, f"no error storm in the logs: {text}"
    assert "channel layer unavailable" in (tmp_path / "a.log").read_text()
    assert "channel layer back" in (tmp_path / "b.log").read_text()


def test_when_the_database_is_locked_the_sender_is_told_and_nothing_is_broadcast(tmp_path: Path) -> None:
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "s.log") as server,
    ):
        ana, ben = Visitor(server), Visitor(server)
        for visitor in (ana, ben):
            visitor.sign_up()
        room = ana.enter_room("Locked")
        ben.enter_room("Locked")
        with ana.open_socket(room) as ana_socket, ben.open_socket(room) as ben_socket, hold_write_lock(database_url):
            ana_socket.send(json.dumps({"body": "stuck behind a lock"}))
            reply = str(ana_socket.recv(timeout=30))
            assert "The server could not save this message, so it was not sent." in reply
            assert 'aria-invalid="true"' in reply, "the page puts the text back in the box (composer.js)"
            with pytest.raises(TimeoutError):
                ben_socket.recv(timeout=0.5)
        assert "stuck behind a lock" not in ben.get(room)


@contextmanager
def hold_write_lock(database_url: str) -> Iterator[None]:
    """Another client holding the lock that posting needs: SQLite's write lock, or PostgreSQL's lock on the rooms."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(urlsplit(database_url).path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
    else:
        with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as postgres:
            postgres.execute("SELECT * FROM rooms_room FOR UPDATE")
            yield
            postgres.rollback()


@contextmanager
def hold_room_lock(database_url: str, slug: str) -> Iterator[None]:
    """Another client holding one room's lock (PostgreSQL's row lock; SQLite has only the whole database's)."""
    if database_url.startswith("sqlite"):
        with hold_write_lock(database_url):
            yield
        return
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as postgres:
        postgres.execute("SELECT * FROM rooms_room WHERE slug = %s FOR UPDATE", [slug])
        yield
        postgres.rollback()


def test_a_write_waiting_on_one_room_s_lock_holds_up_nothing_else_it_need_not(tmp_path: Path) -> None:
    """PostgreSQL: the other rooms' sockets and every page go on. SQLite (one writer): pages go on."""
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "s.log") as server,
    ):
        ana, ben = Visitor(server), Visitor(server)
        for visitor in (ana, ben):
            visitor.sign_up()
        stuck_room, other_room = ana.enter_room("Stuck"), ben.enter_room("Going on")
        with ana.open_socket(stuck_room) as ana_socket, ben.open_socket(other_room) as ben_socket:
            with hold_room_lock(database_url, stuck_room.strip("/").rsplit("/", 1)[-1]):
                ana_socket.send(json.dumps({"body": "waiting for the lock"}))
                time.sleep(0.3)  # Ana's write is waiting on the lock now
                started = time.monotonic()
                assert "Going on" in ben.get(other_room), "a page is served"
                if database_url.startswith("postgres"):
                    ben_socket.send(json.dumps({"body": "elsewhere, at once"}))
                    frames_until(ben_socket, "elsewhere, at once", timeout=3)
                assert time.monotonic() - started < 3, "nothing waited for the other room's lock"
            frames_until(ana_socket, "waiting for the lock", timeout=10)  # and once the lock is gone, it is sent


def test_clients_vanishing_mid_broadcast_do_not_stop_it_for_the_others(tmp_path: Path) -> None:
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "s.log") as server,
    ):
        people = [Visitor(server) for _ in range(8)]
        for person in people:
            person.sign_up()
        room = people[0].enter_room("Crowd")
        for person in people[1:]:
            person.enter_room("Crowd")
        sender, *readers = [person.open_socket(room) for person in people]
        stayers, leavers = readers[:4], readers[4:]

        for n in range(1, 9):
            sender.send(json.dumps({"body": f"message {n}"}))
            if n == 3:
                for leaver in leavers:
                    leaver.socket.close()  # gone without a closing handshake, as a dropped network is

        for stayer in stayers:
            assert seqs_seen(stayer, until=8) == list(range(1, 9))
            stayer.close()
        sender.close()
    log = (tmp_path / "s.log").read_text()
    assert "Traceback" not in log, log


def test_many_senders_at_once_every_page_ends_with_the_database_order(tmp_path: Path) -> None:
    redis_url = require_redis()
    senders_count, messages_each = 5, 8
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
    ):
        people = [Visitor(server_a if n % 2 else server_b) for n in range(senders_count + 2)]
        for person in people:
            person.sign_up()
        room = people[0].enter_room("Rush hour")
        for person in people[1:]:
            person.enter_room("Rush hour")
        sockets = [person.open_socket(room) for person in people]
        total = senders_count * messages_each

        def send_all(socket: ClientConnection, sender: int) -> None:
            for n in range(messages_each):
                socket.send(json.dumps({"body": f"sender {sender} message {n}"}))

        threads = [threading.Thread(target=send_all, args=(sockets[s], s)) for s in range(senders_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        for socket in sockets:
            assert seqs_seen(socket, until=total, timeout=30) == list(range(1, total + 1))
            socket.close()
        page = people[-1].get(room)
        assert [int(n) for n in SEQ.findall(page)] == list(range(1, total + 1))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the connection pool is PostgreSQL's: this runs in the suite's PostgreSQL pass",
)
def test_connections_that_died_in_the_pool_are_replaced_before_any_request_uses_them(tmp_path: Path) -> None:
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "s.log") as server,
    ):
        visitor = Visitor(server)
        visitor.sign_up()
        room = visitor.enter_room("Survivors")
        assert "Survivors" in visitor.get(room)

        # What a database restart, a failover or an idle timeout does to every connection the pool holds.
        killed = terminate_backends(database_url)
        assert killed, "the pool held connections to kill"

        started = time.monotonic()
        for _ in range(killed + 1):  # each request may meet another of the dead ones
            assert "Survivors" in visitor.get(room)
        # Not kept waiting either: meeting the dead ones one by one, the pool's backoff took 7 s.
        assert time.monotonic() - started < 3
        with visitor.open_socket(room) as socket:
            socket.send(json.dumps({"body": "after the restart"}))
            frames_until(socket, "after the restart", timeout=5)
    assert "Internal Server Error" not in (tmp_path / "s.log").read_text()


def terminate_backends(database_url: str) -> int:
    """Have PostgreSQL end every session on this database but our own; returns how many it ended."""
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as postgres:
        ended = postgres.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(ended)

"""Two server processes sharing the real Redis: what is sent through one reaches clients of the other, and a limit
counted through one holds in the other."""

import json
import urllib.error
from pathlib import Path

import pytest

from tests.servers import live_database, uvicorn_server
from tests.services import require_redis
from tests.visitors import Visitor

pytestmark = pytest.mark.redis


def test_a_message_sent_through_one_process_reaches_a_client_of_another(tmp_path: Path) -> None:
    redis_url = require_redis()
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
    ):
        ana, ben, carl = Visitor(server_a), Visitor(server_b), Visitor(server_b)
        for visitor in (ana, ben, carl):
            visitor.sign_up()
        room = ana.enter_room("Across processes")
        assert ben.enter_room("Across processes") == room
        carl_room = carl.enter_room("Somewhere else")

        with (
            ana.open_socket(room) as ana_socket,
            ben.open_socket(room) as ben_socket,
            carl.open_socket(carl_room) as carl_socket,
        ):
            ana_socket.send(json.dumps({"body": "hello from process A", "headers": {}}))

            fragment = str(ben_socket.recv(timeout=5))
            assert "hello from process A" in fragment
            assert '<ol id="message-list" hx-swap-oob="beforeend">' in fragment
            with pytest.raises(TimeoutError):
                carl_socket.recv(timeout=0.5)

        assert "hello from process A" in ben.get(room), "and it was saved once, for everyone"
        assert ben.get(room).count("hello from process A") == 1


def test_a_limit_set_in_the_environment_holds_across_two_processes_sharing_redis(tmp_path: Path) -> None:
    redis_url = require_redis()
    two_an_hour = {"SIGN_UP_RATE_LIMIT": "2 per hour"}
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(
            database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log", environment=two_an_hour
        ) as server_a,
        uvicorn_server(
            database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log", environment=two_an_hour
        ) as server_b,
    ):
        Visitor(server_a).sign_up("ana")
        Visitor(server_b).sign_up("ben")  # each process has counted only one

        with pytest.raises(urllib.error.HTTPError) as refused:
            Visitor(server_a).sign_up("carl")

        assert refused.value.code == 429
        assert "Too many accounts were created from your network in a short time" in refused.value.read().decode()
        refused.value.close()
    assert "refused a sign-up from 127.0.0.1: rate limit" in (tmp_path / "a.log").read_text()

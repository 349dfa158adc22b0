"""Two server processes sharing the real Redis: what is sent through one reaches clients of the other, and a limit
counted through one holds in the other."""

import json
import re
import urllib.error
from pathlib import Path

import pytest

from tests.servers import live_database, uvicorn_server
from tests.services import require_redis
from tests.visitors import Visitor, frames_until

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


def test_edits_and_deletions_made_through_one_process_reach_another_live_and_after_a_reconnect(
    tmp_path: Path,
) -> None:
    redis_url = require_redis()
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
    ):
        ana, ben = Visitor(server_a), Visitor(server_b)
        ana.sign_up()
        ben.sign_up()
        room = ana.enter_room("Changes across processes")
        ben.enter_room("Changes across processes")
        ana.submit(room, {"body": "first"})
        ana.submit(room, {"body": "second"})
        first, second = (int(pk) for pk in re.findall(r'<li id="message-(\d+)"', ana.get(room)))

        with ben.open_socket(f"{room}?after=2") as ben_socket:
            ana.submit(f"{room}messages/{first}/edit/", {"body": "first, edited through A"})
            edited = frames_until(ben_socket, "first, edited through A")
            assert f'<li id="message-{first}" class="message"' in edited
            assert 'hx-swap-oob="outerMorph"' in edited
            assert 'value="3"' in edited, "the page's cursor moves to change 3"

        # Ben's laptop is closed while Ana deletes one message and posts another.
        ana.submit(f"{room}messages/{second}/delete/", {})
        ana.submit(room, {"body": "third"})

        with ben.open_socket(f"{room}?after=3") as ben_socket:
            caught_up = frames_until(ben_socket, "third")
            assert f'<li id="message-{second}" class="message deleted"' in caught_up
            assert "data-quiet" in caught_up
            assert caught_up.count("<li ") == 2, "each change once"
            with pytest.raises(TimeoutError):
                ben_socket.recv(timeout=0.5)


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


def test_news_of_a_message_sent_through_one_process_reaches_a_member_s_page_elsewhere_on_another(
    tmp_path: Path,
) -> None:
    redis_url = require_redis()
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
    ):
        ana, ben = Visitor(server_a), Visitor(server_b)
        ana.sign_up()
        ben.sign_up()
        room = ana.enter_room("News across processes")
        ben.enter_room("News across processes")

        with ana.open_socket(room) as ana_socket, ben.open_socket_seeing_all("/news/") as ben_news:
            ana_socket.send(json.dumps({"body": "news from process A", "headers": {}}))

            item = str(ben_news.recv(timeout=5))
            assert item.startswith('<div id="news" hx-swap-oob="beforeend"><data value=')
            assert 'data-room-name="News across processes"' in item
            with pytest.raises(TimeoutError):
                ben_news.recv(timeout=0.5)

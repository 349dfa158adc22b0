"""The production server as a client meets it: config/serve.py running uvicorn."""

import http.client
import json
import re
import signal
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from rooms.sockets import close_codes
from tests.servers import live_database, process_of, uvicorn_server
from tests.visitors import Visitor, frames_until


def member_socket(server: str) -> tuple[Visitor, ClientConnection]:
    visitor = Visitor(server)
    visitor.sign_up()
    return visitor, visitor.open_socket(visitor.enter_room("Serving"))


def test_static_files_and_htmx_are_served_by_uvicorn_itself(server: str) -> None:
    with Visitor(server).opener.open(server + "/static/vendor/hx-ws-4.0.1.min.js") as response:
        assert response.status == 200
        assert "javascript" in response.headers["Content-Type"]
        assert b'registerExtension("ws"' in response.read()


def test_behind_a_local_proxy_the_log_names_the_client_it_forwarded_for(server: str, tmp_path: Path) -> None:
    visitor = Visitor(server)
    visitor.sign_up()
    room = visitor.enter_room("Forwarded")
    with visitor.open_socket(room, **{"X-Forwarded-For": "203.0.113.7"}) as socket:
        socket.send(json.dumps({"body": "through the proxy"}))
        frames_until(socket, "through the proxy", timeout=5)
    assert f'203.0.113.7:0 - "WebSocket /ws{room}" [accepted]' in (tmp_path / "server.log").read_text()


def test_a_frame_over_64_kib_is_refused_by_the_server_with_1009(server: str) -> None:
    visitor, socket = member_socket(server)
    with socket:
        socket.send(json.dumps({"body": "x" * (65 * 1024)}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            socket.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert "x" * 100 not in visitor.get("/rooms/serving/")


def test_text_that_cannot_be_stored_is_answered_with_its_error(server: str) -> None:
    # A lone surrogate survives JSON but not UTF-8: the answer must not try to send it back.
    _, socket = member_socket(server)
    with socket:
        socket.send('{"body": "broken \\ud800 text"}')
        reply = frames_until(socket, "composer-fields", timeout=5)
    assert "This text contains a broken character (an unpaired surrogate)." in reply


def test_a_server_shutting_down_closes_sockets_with_1012_so_pages_reconnect(server: str) -> None:
    _, socket = member_socket(server)
    with socket:
        process_of(server).send_signal(signal.SIGTERM)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None
    # 1012 (service restart) is one of the codes htmx's ws extension reconnects after.
    assert closed.value.rcvd.code == 1012


def test_the_production_server_serves_static_files_under_hashed_names_cached_for_good(server: str) -> None:
    visitor = Visitor(server)
    page = visitor.get("/accounts/login/")
    stylesheet = re.search(r'href="(/static/css/chat\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet is not None, "the page links the content-hashed stylesheet"
    with visitor.opener.open(server + stylesheet.group(1)) as response:
        assert response.status == 200
        # ServeStatic's "forever" (ten years): safe, since new content means a new name.
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_plain_uvicorn_serves_pages_static_files_and_sockets_with_nothing_collected(tmp_path: Path) -> None:
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "plain.log", plain=True) as server,
    ):
        visitor = Visitor(server)
        page = visitor.get("/accounts/login/")
        assert 'src="/static/vendor/htmx-4.0.1.min.js"' in page
        with visitor.opener.open(server + "/static/vendor/htmx-4.0.1.min.js") as response:
            assert response.status == 200
        visitor.sign_up()
        with visitor.open_socket(visitor.enter_room("Plain")) as socket:
            socket.send(json.dumps({"body": "plain and simple"}))
            frames_until(socket, "plain and simple", timeout=5)


NOT_FOR_PRODUCTION = "not started by python -m config.serve"


def test_plain_uvicorn_lets_a_big_frame_through_to_the_chat_and_says_at_start_it_is_not_for_production(
    tmp_path: Path,
) -> None:
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "plain.log", plain=True) as server,
    ):
        _, socket = member_socket(server)
        with socket:
            socket.send(json.dumps({"body": "x" * (65 * 1024)}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                socket.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == close_codes.TOO_LARGE  # read whole by uvicorn, refused by the chat
    assert NOT_FOR_PRODUCTION in (tmp_path / "plain.log").read_text()


def test_the_production_server_does_not_warn_that_it_is_not_one(server: str, tmp_path: Path) -> None:
    Visitor(server).get("/accounts/login/")
    log = (tmp_path / "server.log").read_text()
    assert "Uvicorn running on" in log
    assert NOT_FOR_PRODUCTION not in log


@pytest.fixture
def https_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A server with HTTPS=true, reached over plain HTTP from 127.0.0.1 (the default FORWARDED_ALLOW_IPS).

    Parametrised indirectly with BEHIND_TLS_PROXY's value.
    """
    environment = {"HTTPS": "true", "BEHIND_TLS_PROXY": request.param}
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "server.log", environment=environment) as url,
    ):
        yield url


def get_claiming_https(server: str, path: str) -> tuple[int, http.client.HTTPMessage]:
    """A plain-HTTP GET that says, as a TLS proxy would, that the client came over HTTPS (redirects not followed)."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server).netloc, timeout=10)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def open_socket_claiming_https(server: str, origin: str) -> None:
    """An anonymous handshake saying it came over HTTPS; the server's log tells which check refused it."""
    address = server.replace("http://", "ws://") + "/ws/rooms/lobby-talk/"
    with pytest.raises(websockets.InvalidStatus) as refused:
        connect(address, origin=Origin(origin), additional_headers={"X-Forwarded-Proto": "https"}, open_timeout=5)
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("https_server", [""], indirect=True)
def test_without_a_declared_tls_proxy_a_plain_http_client_claiming_https_is_still_redirected(
    https_server: str, tmp_path: Path
) -> None:
    status, headers = get_claiming_https(https_server, "/accounts/login/")
    assert status == 301
    assert headers["Location"] == https_server.replace("http://", "https://") + "/accounts/login/"

    # Nor does a socket's claim make it one addressed over TLS: a page at https:// is another origin.
    https_origin = https_server.replace("http://", "https://")
    open_socket_claiming_https(https_server, https_origin)
    assert (
        f"origin {https_origin} is not allowed (this site is {https_server})" in (tmp_path / "server.log").read_text()
    )


@pytest.mark.parametrize("https_server", ["true"], indirect=True)
def test_behind_a_declared_tls_proxy_its_https_is_believed_by_pages_and_sockets(
    https_server: str, tmp_path: Path
) -> None:
    status, headers = get_claiming_https(https_server, "/accounts/login/")
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

    https_origin = https_server.replace("http://", "https://")
    open_socket_claiming_https(https_server, https_server)  # a plain-http page, against an https-addressed socket
    open_socket_claiming_https(https_server, https_origin)  # the right origin, refused only for want of a user
    log = (tmp_path / "server.log").read_text()
    assert f"origin {https_server} is not allowed (this site is {https_origin})" in log
    assert f"origin {https_origin} is not allowed" not in log
    assert "refused socket: user None may not join '/ws/rooms/lobby-talk/'" in log


def test_a_client_address_is_taken_from_x_forwarded_for_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(
            database_url=database_url,
            log_path=tmp_path / "server.log",
            environment={"FORWARDED_ALLOW_IPS": "192.0.2.1"},  # a proxy elsewhere; the test's client is not it
        ) as server,
    ):
        visitor = Visitor(server)
        visitor.sign_up()
        room = visitor.enter_room("Untrusted")
        with visitor.open_socket(room, **{"X-Forwarded-For": "203.0.113.7"}) as socket:
            socket.send(json.dumps({"body": "not through the proxy"}))
            frames_until(socket, "not through the proxy", timeout=5)
    log = (tmp_path / "server.log").read_text()
    assert f'"WebSocket /ws{room}" [accepted]' in log
    assert "203.0.113.7" not in log

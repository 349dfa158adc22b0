"""What `make run` serves (daphne's runserver) closes sockets as uvicorn does: with codes it accepts."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from websockets.sync.client import ClientConnection

from rooms.sockets import close_codes
from tests.servers import development_server, live_database
from tests.visitors import Visitor


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with (
        live_database(tmp_path) as database_url,
        development_server(database_url=database_url, log_path=tmp_path / "server.log") as url,
    ):
        yield url


def close_code_of(socket: ClientConnection) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        socket.recv(timeout=10)
    assert closed.value.rcvd is not None, "the server dropped the socket without closing it"
    return closed.value.rcvd.code


def test_leaving_a_room_closes_that_person_s_open_socket_there(server: str, tmp_path: Path) -> None:
    ana = Visitor(server)
    ana.sign_up()
    room = ana.enter_room("Leaving")
    with ana.open_socket(room) as other_tab:
        ana.submit(room, {}, action=room + "leave/")
        assert close_code_of(other_tab) == close_codes.NOT_A_MEMBER
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_signing_out_closes_that_browser_s_open_socket(server: str, tmp_path: Path) -> None:
    ana = Visitor(server)
    ana.sign_up()
    room = ana.enter_room("Signing out")
    with ana.open_socket(room) as other_tab:
        ana.submit(room, {}, action="/accounts/logout/")
        assert close_code_of(other_tab) == close_codes.SIGNED_OUT
    assert "Traceback" not in (tmp_path / "server.log").read_text()

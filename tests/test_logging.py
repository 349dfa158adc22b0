"""What the logs say: connects, refusals, rate-limit hits and validation failures; never bodies or session keys."""

import json
import urllib.error
import urllib.parse
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from rooms.models import Room, User
from tests.servers import live_database, uvicorn_server
from tests.sockets.room_sockets import RoomSocket
from tests.visitors import Visitor

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_TEXT = "the launch code is 0000"


async def test_the_logs_tell_what_happened_without_bodies_or_session_keys(
    design: Room, ana: User, caplog: pytest.LogCaptureFixture, rate_limited: None
) -> None:
    caplog.set_level("INFO", logger="rooms")
    client = Client()
    await database_sync_to_async(client.force_login)(ana)
    session_key = client.cookies["sessionid"].value
    cookie = (b"cookie", f"sessionid={session_key}".encode())
    host = (b"host", b"localhost")
    address = design.get_socket_url()

    foreign = WebsocketCommunicator(application, address, headers=[(b"origin", b"http://evil.example"), cookie, host])
    assert not (await foreign.connect())[0]
    anonymous = WebsocketCommunicator(application, address, headers=[(b"origin", b"http://localhost"), host])
    assert not (await anonymous.connect())[0]
    socket = RoomSocket(application, address, headers=[(b"origin", b"http://localhost"), cookie, host])
    assert (await socket.connect())[0]
    for body in ("", SECRET_TEXT, SECRET_TEXT, SECRET_TEXT, SECRET_TEXT):
        await socket.send_to(text_data=json.dumps({"body": body}))
        await socket.receive_from(timeout=2)
    await socket.disconnect()

    log = caplog.text
    assert "refused socket handshake: origin http://evil.example is not allowed" in log
    assert "refused socket: user None may not join" in log
    assert f"socket opened: user {ana.pk} in room {design.pk}" in log
    assert f"refused message from user {ana.pk} in room {design.pk}: ['required']" in log
    assert f"refused message from user {ana.pk} in room {design.pk}: rate limit" in log
    assert SECRET_TEXT not in log
    assert session_key not in log


def test_a_view_that_fails_logs_its_traceback_but_not_the_message_or_the_session(tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(
            database_url=database_url,
            log_path=log_path,
            environment={"DJANGO_SETTINGS_MODULE": "tests.crashing_settings"},
        ) as server,
    ):
        visitor = Visitor(server)
        visitor.sign_up()
        session_key = next(cookie.value for cookie in visitor.cookies if cookie.name == "sessionid")
        with pytest.raises(urllib.error.HTTPError) as failed:
            visitor.opener.open(server + "/crash/", data=urllib.parse.urlencode({"body": SECRET_TEXT}).encode())
        assert failed.value.code == 500
        failed.value.close()

    log = log_path.read_text()
    assert "Internal Server Error: /crash/\nTraceback (most recent call last):" in log
    assert "ValueError: the view failed on purpose" in log
    assert SECRET_TEXT not in log
    assert session_key is not None
    assert session_key not in log

"""Who is here, across two server processes sharing Redis (DESIGN.md §8): a person held by tabs on both comes and
goes once, and the people of a process killed without saying goodbye leave the other's pages within the expiry."""

import re
import signal
import time
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection

from tests.servers import live_database, process_of, uvicorn_server
from tests.services import require_redis
from tests.visitors import Visitor

pytestmark = pytest.mark.redis

EXPIRY = 2.0  # PRESENCE_EXPIRY for these servers: seconds, so that the test is quick
LIST_WHOLE = '<ul id="people-here-list" hx-swap-oob="innerHTML">'


def presence_frames_until(socket: ClientConnection, text: str, *, timeout: float = 10) -> list[str]:
    """The frames of who is here this page is sent until one holds `text` (that one last)."""
    frames: list[str] = []
    deadline = time.monotonic() + timeout
    while not frames or text not in frames[-1]:
        frame = str(socket.recv(timeout=max(0.0, deadline - time.monotonic())))
        if "people-here" in frame:
            frames.append(frame)
    return frames


def nothing_for(socket: ClientConnection, seconds: float) -> list[str]:
    """What of who is here this page is sent in the next `seconds` (an empty list if nothing)."""
    frames: list[str] = []
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            frame = str(socket.recv(timeout=remaining))
        except TimeoutError:
            break
        if "people-here" in frame:
            frames.append(frame)
    return frames


def person_id(frame: str, username: str) -> str:
    found = re.search(rf'<li id="person-(\d+)" data-user-id="\d+"><bdi class="name">{username}</bdi>', frame)
    assert found is not None, f"{username} is not in {frame!r}"
    return found.group(1)


def people_region(page: str) -> str:
    found = re.search(r'<section id="people-here".*?</section>', page, re.S)
    assert found is not None
    return found.group()


def test_the_people_of_a_server_killed_without_goodbye_leave_the_other_s_pages_within_the_expiry(
    tmp_path: Path,
) -> None:
    redis_url = require_redis()
    quick = {"PRESENCE_EXPIRY": str(EXPIRY)}
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(
            database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log", environment=quick
        ) as server_a,
        uvicorn_server(
            database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log", environment=quick
        ) as server_b,
    ):
        ana, ben = Visitor(server_a), Visitor(server_b)
        ana_name, ben_name = ana.sign_up(), ben.sign_up()
        room = ana.enter_room("Crash")
        ben.enter_room("Crash")

        with ben.open_socket_seeing_all(room) as bens:
            presence_frames_until(bens, LIST_WHOLE)
            anas = [ana.open_socket_seeing_all(room), ana.open_socket_seeing_all(room)]  # two tabs, both on A
            came = presence_frames_until(bens, f">{ana_name}</bdi>")[-1]
            ana_id = person_id(came, ana_name)
            assert "2 people here" in came
            assert ana_name in people_region(ben.get(room)), "the page of the other process lists her"
            time.sleep(EXPIRY)  # past the first expiry: renewals keep her here meanwhile
            assert nothing_for(bens, 0.1) == [], "she did not flicker out"

            process_of(server_a).send_signal(signal.SIGKILL)
            process_of(server_a).wait()
            killed = time.monotonic()
            went = presence_frames_until(bens, f'<li id="person-{ana_id}" hx-swap-oob="delete">', timeout=EXPIRY + 5)
            elapsed = time.monotonic() - killed

            # Within the expiry (entries last three quarters of it, a renewal every quarter sweeps), and half a
            # second for a loaded machine's timers.
            assert elapsed < EXPIRY + 0.5, f"she was listed for {elapsed:.1f} s after her server died"
            assert "1 person here" in went[-1]
            region = people_region(ben.get(room))
            assert ana_name not in region
            assert ben_name in region
            assert nothing_for(bens, 0.5) == [], "said once"
            for socket in anas:
                socket.close_socket()
    assert "Traceback" not in (tmp_path / "b.log").read_text()


def test_a_person_with_tabs_on_two_servers_comes_with_the_first_and_goes_with_the_last(tmp_path: Path) -> None:
    redis_url = require_redis()
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "a.log") as server_a,
        uvicorn_server(database_url=database_url, redis_url=redis_url, log_path=tmp_path / "b.log") as server_b,
    ):
        ana, ben = Visitor(server_a), Visitor(server_b)
        ana_name = ana.sign_up()
        ben.sign_up()
        room = ana.enter_room("Two servers")
        ben.enter_room("Two servers")
        ana_on_b = Visitor(server_b)
        for cookie in ana.cookies:  # the same browser, sent to the other process by a load balancer
            ana_on_b.cookies.set_cookie(cookie)

        with ben.open_socket_seeing_all(room) as bens:
            presence_frames_until(bens, LIST_WHOLE)
            tab_on_a = ana.open_socket_seeing_all(room)
            ana_id = person_id(presence_frames_until(bens, f">{ana_name}</bdi>")[-1], ana_name)
            tab_on_b = ana_on_b.open_socket_seeing_all(room)
            assert ana_name in presence_frames_until(tab_on_b, LIST_WHOLE)[-1]
            assert nothing_for(bens, 0.5) == [], "her second tab, on the other server, is no news"

            tab_on_a.close()
            assert nothing_for(bens, 0.5) == [], "nor is closing one of the two"
            tab_on_b.close()

            went = presence_frames_until(bens, f'<li id="person-{ana_id}" hx-swap-oob="delete">', timeout=5)
            assert "1 person here" in went[-1]

"""Shared vocabulary for the tests: people, rooms, and signed-in clients."""

import math
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import limits.storage.memory
import limits.strategies
import pytest
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings

from rooms import rate_limit
from rooms.messages.posting import post_message
from rooms.models import Message, Room, User
from rooms.people import membership
from rooms.rate_limit import limiter
from rooms.sockets.database_trips import close_database_connections
from tests.servers import live_database, uvicorn_server

PASSWORD = "correct horse battery staple"

MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(username: str, display_name: str = "") -> User:
        user = User.objects.create_user(username=username, password=PASSWORD)
        user.display_name = display_name or username
        user.save()
        return user

    return make


@pytest.fixture
def ana(make_user: MakeUser) -> User:
    return make_user("ana", "Ana")


@pytest.fixture
def ben(make_user: MakeUser) -> User:
    return make_user("ben", "Ben")


@pytest.fixture
def design(ana: User, ben: User) -> Room:
    """A room that Ana and Ben have both entered."""
    room = membership.enter_room(user=ana, name="Design", slug="design")
    membership.join_room(user=ben, room=room)
    return room


# What differs at every render of any page: the masked CSRF token, and the address the language form returns to.
EVERY_RENDER = re.compile(
    r'(?<="X-CSRFToken": ")[^"]+|(?<=name="csrfmiddlewaretoken" value=")[^"]+|(?<=name="next" value=")[^"]*'
)


def page_as_any_address_gives_it(response: object) -> str:
    """A page's HTML without what differs at every render, to tell two pages apart by all else."""
    return EVERY_RENDER.sub("", response.content.decode())  # type: ignore[attr-defined]


def signed_in(user: User, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


@pytest.fixture(scope="session", autouse=True)
def database_threads_let_go(django_db_setup: None) -> Iterator[None]:
    """The sockets' database threads hold connections of their own: closed before the test database is dropped."""
    yield
    close_database_connections()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The production server (config/serve.py) on a database of its own; its log is tmp_path / "server.log"."""
    with (
        live_database(tmp_path) as database_url,
        uvicorn_server(database_url=database_url, log_path=tmp_path / "server.log") as url,
    ):
        yield url


@pytest.fixture(autouse=True)
def uploads(settings: Settings, tmp_path: Path) -> Path:
    """Each test's attachments on a storage of its own, never in var/uploads."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


@pytest.fixture(autouse=True)
def no_language_left_active() -> Iterator[None]:
    """A request in Korean leaves Korean active in the thread (LocaleMiddleware activates, nothing
    deactivates); the next test would find itself in Korean."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def test_settings(settings: Settings) -> None:
    # Real hashing costs ~0.3 s per user; these tests are not about passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests send (and sign up, and fail to sign in) faster than people; each door's limit
    # has tests of its own (rate_limited, set_limit).
    for name in DOOR_LIMITS:
        setattr(settings, name, "1000 per second")


DOOR_LIMITS = (
    "MESSAGE_RATE_LIMIT",
    "ROOM_MESSAGE_RATE_LIMIT",
    "ROOM_CREATION_RATE_LIMIT",
    "SIGN_UP_RATE_LIMIT",
    "SIGN_IN_RATE_LIMIT",
    "SIGN_IN_ADDRESS_RATE_LIMIT",
)

SetLimit = Callable[[str, str], None]


class ClockFromTheHour:
    """The time module as the rate limits read it, moved to just after the next whole hour.

    The limits count in sliding windows whose edges are whole multiples of their length since
    the epoch. Crossing an edge weighs the last window's count a little less than whole, and
    the library floors it: three failed sign-ins, then fifteen minutes' edge, and a fourth is let
    through (it happened once in CI). From the top of an hour, every window a test uses (ten
    seconds, a minute, fifteen, an hour) has its whole length ahead of it.
    """

    def __init__(self) -> None:
        now = time.time()
        self.offset = math.ceil(now / 3600) * 3600 + 1 - now

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.fixture
def set_limit(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> SetLimit:
    """Set a door's limit (a setting's name, and the limits library's notation); earlier tests' counts forgotten."""
    clock = ClockFromTheHour()
    modules: tuple[ModuleType, ...] = (limits.storage.memory, limits.strategies, rate_limit)
    for module in modules:
        monkeypatch.setattr(module, "time", clock)
    limiter(settings.RATE_LIMIT_STORAGE_URL).storage.reset()

    def set_to(name: str, value: str) -> None:
        assert name in DOOR_LIMITS
        setattr(settings, name, value)

    return set_to


@pytest.fixture
def rate_limited(set_limit: SetLimit) -> None:
    """A tight limit, three messages an hour, with counts from earlier tests forgotten."""
    set_limit("MESSAGE_RATE_LIMIT", "3 per hour")


def say(room: Room, author: User, body: str) -> Message:
    """`author` sends `body` to `room` through the one write path."""
    message = post_message(room=room, author=author, data={"body": body}).message
    assert message is not None, f"{author} could not say {body!r} in {room}"
    return message

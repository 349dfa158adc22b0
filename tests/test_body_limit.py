"""A request body over REQUEST_MAX_BYTES is never stored: read, dropped, and answered with a page that says so."""

import asyncio
import tempfile
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from config.asgi import application
from rooms.models import Attachment, Room

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 1000


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[int]:
    """The bytes of body Django keeps, per request (its spooled file's writes)."""
    settings.REQUEST_MAX_BYTES = LIMIT
    written: list[int] = []

    class Counted(tempfile.SpooledTemporaryFile):  # type: ignore[type-arg]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            written.append(0)

        def write(self, data: Any) -> int:
            written[-1] += len(data)
            return super().write(data)

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", Counted)
    return written


async def post(path: str, chunks: list[bytes], *, stated: int | None = None) -> tuple[int, str, list[bytes]]:
    """POST `chunks` through the whole ASGI application: the status, the page, and what it left unread."""
    waiting = list(chunks)

    async def receive() -> dict[str, Any]:
        if not waiting:
            await asyncio.Event().wait()  # after the body, a client stays until the answer (Django then stops asking)
        body = waiting.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(waiting)}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", b"localhost:8000"), (b"content-type", b"application/x-www-form-urlencoded")]
    if stated is not None:
        headers.append((b"content-length", str(stated).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 8000),
    }
    await application(scope, receive, send)
    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    page = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return status, page.decode(), waiting


async def test_a_body_its_length_says_is_too_large_is_read_dropped_and_refused_with_a_page(
    stored: list[int],
) -> None:
    status, page, unread = await post("/accounts/login/", [b"x" * 600] * 3, stated=1800)

    assert status == 413
    assert "Too large to send" in page
    assert 'role="alert"' in page
    assert unread == [], "read to its end, so that the browser sees the page, not a reset connection"
    assert stored == [0]


async def test_a_body_without_a_length_is_cut_off_where_it_goes_over(stored: list[int]) -> None:
    status, _page, unread = await post("/accounts/login/", [b"x" * 600, b"x" * 600, b"x" * 600])

    assert status == 413
    assert unread == []
    assert stored == [600], "what came before the limit, and nothing after"


async def test_a_body_within_the_limit_goes_through_as_ever(stored: list[int]) -> None:
    status, _page, _unread = await post("/accounts/login/", [b"username=ana&password=x"], stated=23)

    assert status == 403  # no CSRF token: Django's own answer, the body read
    assert stored == [23]


async def test_a_file_over_the_request_limit_stores_no_attachment(design: Room, stored: list[int]) -> None:
    """Refused before anything of the request is asked of the database: who sends it does not matter."""
    status, page, unread = await post("/rooms/design/attach/", [b"y" * 800] * 4, stated=3200)

    assert status == 413
    assert "A file may be at most" in page
    assert unread == []
    assert stored == [0]
    assert not await Attachment.objects.aexists()

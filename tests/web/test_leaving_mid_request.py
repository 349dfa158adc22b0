"""A page left at any moment of its request is still finished, through the middleware's thread and back.

Under ASGI the middleware from the first sync-only one down runs in a worker thread that calls back into
async code; a request cancelled in there, as when its page is left, came back out of asgiref with a quit
executor, and Django's request_finished then failed on it: the request's database connection was never
closed, lost for good to PostgreSQL's pool (config/django_handler.py). Each run below leaves a page at a
different moment of its request, from at once to past its end.
"""

import asyncio
import contextvars
from collections.abc import Mapping
from typing import Any

import pytest
from django.core.signals import request_finished

from config.django_handler import ChatASGIHandler

LEAVINGS = 200  # moments to leave at, LEAVING_STEP apart: from at once to past the page's end
LEAVING_STEP = 0.0002  # seconds


def scope_for(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }


async def leave_after(handler: ChatASGIHandler, path: str, seconds: float) -> None:
    """Ask for `path`, and go away `seconds` after the request was sent, whatever the server is doing."""
    sent_request = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(seconds)
        return {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        pass

    await handler(scope_for(path), receive, send)


@pytest.mark.django_db(transaction=True)
def test_a_page_left_at_any_moment_of_its_request_is_still_finished() -> None:
    finished: list[object] = []

    def count(**kwargs: Any) -> None:
        finished.append(kwargs["sender"])

    request_finished.connect(count, weak=False)
    handler = ChatASGIHandler()
    failures: list[str] = []

    async def leave_at_every_moment() -> None:
        for step in range(LEAVINGS):
            # Each request in a task and a context of its own, as the server gives it.
            request = leave_after(handler, "/accounts/login/", step * LEAVING_STEP)
            try:
                await asyncio.create_task(request, context=contextvars.Context())
            except Exception as error:
                failures.append(f"left after {step * LEAVING_STEP * 1000:.1f} ms: {error!r}")

    try:
        asyncio.run(leave_at_every_moment())
    finally:
        request_finished.disconnect(count)
    assert failures == []
    # Finishing a request is what closes its database connection (django.db.close_old_connections).
    assert len(finished) == LEAVINGS

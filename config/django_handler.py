"""Django's ASGI handler, with each request's view run in a context of its own (DESIGN.md §9).

Two of the chat's middleware are sync-only, so under ASGI Django runs the middleware from there down in
one worker thread (sync_to_async), which calls the async handler beneath through async_to_sync: one thread
hop for the lot, where making them async-capable puts every one of Django's own middleware in async mode,
a hop for each of their hooks (2 ms more a page, measured). But when the page is left mid-request, Django
cancels the view, and asgiref, cancelled while that thread is inside its async_to_sync, copies the thread's
context back into the request's task with the async_to_sync's executor in it, already quit. Django then
sends request_finished from that task, sync_to_async picks that executor and fails ("CurrentThreadExecutor
already quit or is broken"), and the receivers never run: the request's database connection is never
closed, and on PostgreSQL the pool loses it for good, until every page hangs on the pool (the browser tests,
2026-12-03). Here the view runs in a task of its own, on a copy of the request's context: whatever asgiref
leaves in it goes with that task, and request_finished runs in the request's own context, as it should.

It overrides ASGIHandler.run_get_response, which is not Django's public API: Django is pinned below the
next release line (requirements/base.in), and tests/web/test_leaving_mid_request.py fails without this.
"""

import asyncio
import contextvars
from typing import Any

import django
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class ChatASGIHandler(ASGIHandler):
    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        # Cancelling this await (the client went away) cancels the task too, as awaiting the view did.
        view: asyncio.Task[Any] = asyncio.create_task(
            super().run_get_response(request), context=contextvars.copy_context()
        )
        response: HttpResponseBase = await view
        return response


def get_asgi_application() -> ChatASGIHandler:
    """django.core.asgi.get_asgi_application, with the chat's handler."""
    django.setup(set_prefix=False)
    return ChatASGIHandler()

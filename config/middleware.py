"""A middleware of this project's runs in the mode of the handler below it, so that no request crosses modes.

Under ASGI, Django's handler is async; a sync-only middleware makes it run that middleware, and every one
below it, in a worker thread (sync_to_async), which then calls the async handler beneath back through
async_to_sync. A request cancelled in there (its page left mid-request: Django cancels the view when the
client goes away) can come back out of asgiref with that inner async_to_sync's executor in its context,
already quit; Django's request_finished signal then fails on it ("CurrentThreadExecutor already quit or is
broken"), so the request's database connection is never closed, and on PostgreSQL the pool loses it for
good (seen in the browser tests, 2026-12-03). With every middleware able to run either way, Django builds
the chain in one mode, and the view is the only step that goes to a thread.

A subclass says, cheaply and without the database, whether it answers a request itself (`answers`) or
replaces the response (`replaces`); what it then makes (`answer`, `replacement`: rendering a page, which
may read the session and the user) runs in a thread in async mode, as Django's own middleware does.
tests/web/test_middleware.py holds every middleware in settings to running either way.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase

GetResponse = Callable[[HttpRequest], Any]  # an HttpResponseBase, or an awaitable of one in async mode


class EitherModeMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def answers(self, request: HttpRequest) -> bool:
        """Whether this middleware answers `request` itself, instead of the views below it."""
        return False

    def answer(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError

    def replaces(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """Whether `response` is to be replaced by this middleware's."""
        return False

    def replacement(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return response

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        if self.answers(request):
            return self.answer(request)
        response: HttpResponseBase = self.get_response(request)
        return self.replacement(request, response) if self.replaces(request, response) else response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if self.answers(request):
            return await sync_to_async(self.answer)(request)
        response: HttpResponseBase = await self.get_response(request)
        if self.replaces(request, response):
            return await sync_to_async(self.replacement)(request, response)
        return response

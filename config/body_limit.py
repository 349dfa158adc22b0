"""A request body larger than the chat takes is never stored: not in memory, not in a temporary file.

Django's ASGI handler reads a request's whole body into a spooled temporary file before any view or
middleware sees it, whatever its size (only a form's fields are limited, once parsed): without a
proxy in front that limits bodies (docs/nginx.conf does), anyone could fill the disk with one upload.
So `limit_body` wraps the request's `receive`: once the body would go over REQUEST_MAX_BYTES (by its
Content-Length, or as it arrives), the rest is read and thrown away and Django is told the body ended.
The request is marked, and `RefuseTooLarge`, early among the middleware, answers it with a page that
says so (413) before anything reads the truncated body.

The rest is read rather than left: a server that answers while the browser is still sending, then
closes, shows the person a reset connection instead of the page. Reading costs the bandwidth a proxy
would spend too, and nothing more.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

TOO_LARGE = "chat.body_too_large"  # set in the ASGI scope of a request whose body was not kept

Receive = Callable[[], Awaitable[dict[str, Any]]]


def content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def limit_body(scope: dict[str, Any], receive: Receive, limit: int) -> Receive:
    """`receive` for an HTTP request, that gives Django at most `limit` bytes of body."""
    taken = 0
    ended = False

    async def limited() -> dict[str, Any]:
        nonlocal taken, ended
        if ended:
            return await receive()  # after the body: Django listens for the client going away
        stated = content_length(scope)
        message = None if stated is not None and stated > limit else await receive()
        if message is not None and message["type"] == "http.request":
            taken += len(message.get("body", b""))
            if taken <= limit:
                ended = not message.get("more_body", False)
                return message
        elif message is not None:
            return message  # the client went away: Django stops reading
        scope[TOO_LARGE] = True
        while message is None or (message["type"] == "http.request" and message.get("more_body")):
            message = await receive()  # read and dropped
        if message["type"] != "http.request":
            return message  # gone before the end: nobody to answer
        ended = True
        return {"type": "http.request", "body": b"", "more_body": False}

    return limited


class RefuseTooLarge:
    """Answers a request whose body `limit_body` did not keep (413), with the page that says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        scope = getattr(request, "scope", None)
        if scope is not None and scope.get(TOO_LARGE):
            return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    largest = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    return render(request, "too_large.html", {"largest": largest}, status=413)

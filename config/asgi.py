"""HTTP goes to Django; WebSockets through the origin check and the routes (rooms/sockets/entry.py) to a consumer.

`application` is a plain function that returns the app's coroutine, where an
ASGI middleware (Channels' ProtocolTypeRouter, uvicorn's proxy headers) would
await it: an awaiting middleware stays on the stack for a socket's whole life,
holding the handshake's scope and headers (see rooms/sockets/entry.py).
"""

import inspect
import logging
import os
from collections.abc import Awaitable
from typing import Any

from django.conf import settings
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from config.django_handler import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Set Django up before importing anything that touches models.
django_asgi_app = get_asgi_application()

from config.body_limit import limit_body  # noqa: E402
from config.serve import STARTED_BY  # noqa: E402
from rooms.sockets.entry import SocketEntry  # noqa: E402

socket_entry = SocketEntry("rooms.sockets.routing")

# The frame limit and the cut-off of a client that stops reading are the server's: from in here they cannot be set.
if not settings.DEBUG and os.environ.get(STARTED_BY) != "true":
    logging.getLogger("rooms").warning(
        "not started by python -m config.serve: this server reads frames up to its own limit (uvicorn's is 16 MiB)"
        " before the chat refuses them, and buffers without bound for a client that stops reading;"
        " run python -m config.serve in production (README, Serving it)"
    )


async def _done(scope: Any, receive: Any, send: Any) -> None:
    return None


class ForwardedHeaders:
    """What a proxy in front says of the client: its address (X-Forwarded-For) and its scheme (X-Forwarded-Proto).

    The address is taken from peers in FORWARDED_ALLOW_IPS only, by uvicorn's
    proxy-headers middleware, run as a plain call to completion at once
    against an app that returns, instead of staying on the stack.

    The scheme is taken only with BEHIND_TLS_PROXY=true, as Django's
    SECURE_PROXY_SSL_HEADER is (config/settings.py): uvicorn's middleware
    would take it from any trusted peer, so a plain-HTTP client on the local
    host (the default FORWARDED_ALLOW_IPS) could claim HTTPS. Pages and
    sockets read the same scheme, so a socket's origin check (rooms/sockets/entry.py)
    agrees with the page that opens it.

    config/serve.py turns uvicorn's own copy off. Plain `uvicorn config.asgi:application`
    runs it before this, scheme included: pass `--no-proxy-headers` there (README).
    """

    def __init__(self, trusted_hosts: str, *, scheme_from_proxy: bool) -> None:
        self.middleware = ProxyHeadersMiddleware(_done, trusted_hosts)
        self.scheme_from_proxy = scheme_from_proxy

    def __call__(self, scope: dict[str, Any]) -> None:
        scheme = scope.get("scheme")
        self._apply_uvicorns(scope)
        if self.scheme_from_proxy:
            scope["scheme"] = forwarded_scheme(scope) or scheme or _default_scheme(scope)
        elif scheme is None:
            scope.pop("scheme", None)  # ASGI's default (http, ws) stands
        else:
            scope["scheme"] = scheme

    def _apply_uvicorns(self, scope: dict[str, Any]) -> None:
        with_proxy_headers = self.middleware(scope, _done, _done)  # type: ignore[arg-type]
        try:
            with_proxy_headers.send(None)
        except StopIteration:
            return
        with_proxy_headers.close()
        raise RuntimeError("uvicorn's ProxyHeadersMiddleware waited on something")


def _default_scheme(scope: dict[str, Any]) -> str:
    return "ws" if scope["type"] == "websocket" else "http"


def forwarded_scheme(scope: dict[str, Any]) -> str | None:
    """The scheme the proxy's last X-Forwarded-Proto names (ws/wss for a socket), as uvicorn reads it."""
    value: str | None = None
    for name, header in scope["headers"]:
        if name == b"x-forwarded-proto":
            value = header.decode("latin-1").strip()
    if value not in {"http", "https", "ws", "wss"}:
        return None
    return value.replace("http", "ws") if scope["type"] == "websocket" else value.replace("ws", "http")


# The variable and the default uvicorn reads for its --forwarded-allow-ips; BEHIND_TLS_PROXY as settings read it.
forwarded_headers = ForwardedHeaders(
    os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"), scheme_from_proxy=settings.BEHIND_TLS_PROXY
)


def application(scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
    if scope["type"] == "websocket":
        forwarded_headers(scope)
        return socket_entry(scope, receive, send)
    if scope["type"] == "http":
        forwarded_headers(scope)
        receive = limit_body(scope, receive, settings.REQUEST_MAX_BYTES)
    return django_asgi_app(scope, receive, send)  # HTTP, and lifespan (which Django refuses)


# An ASGI 3 app to servers that ask inspect.iscoroutinefunction (uvicorn, daphne, asgiref).
inspect.markcoroutinefunction(application)

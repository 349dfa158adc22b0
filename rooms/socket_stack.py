"""What stands between a WebSocket handshake and its consumer: the origin check, the route, the cookies.

It does what Channels' `AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(...)))`
does, differently in three ways:

- A refused origin is logged (the Origin header is not a secret; cookies are
  never logged). Channels refuses silently.
- It is one plain call that returns the consumer's coroutine. Channels'
  middlewares are coroutines each, awaiting the next: a socket kept six of
  them alive, each with its own copy of the scope, for its whole life (about
  5 KiB per idle socket, measured with tracemalloc: bench/README.md). Here the
  scope is copied once.
- The session and the user are read by the consumer when it connects
  (RoomConsumer.connect), read-only: Channels' SessionMiddleware wraps the
  socket's `send` to save a session changed while the socket is open, which
  room sockets never do, and that wrapper ran on every message to every page.
"""

import logging
from collections.abc import Awaitable
from typing import Any
from urllib.parse import ParseResult, urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.http.cookie import parse_cookie
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern

logger = logging.getLogger(__name__)


class LoggedOriginValidator(OriginValidator):  # type: ignore[misc]
    """Channels' origin check, against ALLOWED_HOSTS, noting each refusal."""

    def __init__(self) -> None:
        super().__init__(None, settings.ALLOWED_HOSTS)

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        valid = bool(super().valid_origin(parsed_origin))
        if not valid:
            origin = parsed_origin.geturl() if parsed_origin is not None else "(none)"
            logger.info("refused socket handshake: origin %s is not allowed", origin)
        return valid


class SocketEntry:
    """The ASGI app for WebSocket scopes: `urlconf` names a module whose `urlpatterns` route to consumers."""

    def __init__(self, urlconf: str) -> None:
        self.origins = LoggedOriginValidator()
        self.resolver = URLResolver(RegexPattern(r"^/"), urlconf)

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        origin = cookie = None
        for name, value in scope["headers"]:  # as Channels reads them: the last Origin, the first Cookie
            if name == b"origin":
                origin = value
            elif name == b"cookie" and cookie is None:
                cookie = value
        try:
            parsed_origin = None if origin is None else urlparse(origin.decode("latin-1"))
        except ValueError:
            parsed_origin = None
        if not self.origins.valid_origin(parsed_origin):
            return WebsocketDenier()(scope, receive, send)  # type: ignore[no-any-return]
        # rooms/routing.py ends with a catch-all that refuses; an address outside the site is refused here.
        path, root_path = scope["path"], scope.get("root_path", "")
        try:
            match = self.resolver.resolve(path.removeprefix(root_path) if root_path else path)
        except Resolver404:
            return WebsocketDenier()(scope, receive, send)  # type: ignore[no-any-return]
        socket_scope = {
            **scope,
            "cookies": parse_cookie(cookie.decode("latin-1")) if cookie else {},
            "url_route": {"args": match.args, "kwargs": match.kwargs},
        }
        # The consumer itself, not its as_asgi() wrapper: one coroutine less kept per socket.
        route: Any = match.func
        consumer = route.consumer_class(**route.consumer_initkwargs)
        return consumer(socket_scope, receive, send)  # type: ignore[no-any-return]

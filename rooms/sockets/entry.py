"""What stands between a WebSocket handshake and its consumer: the origin check, the route, the cookies.

It does what Channels' `AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(...)))`
does, differently in four ways:

- The Origin must be this site's own, scheme, host and port, as Django's CSRF
  check wants of a form's (or one of CSRF_TRUSTED_ORIGINS); Channels compares
  the host name only, so a page on another port of the host could open a socket.
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
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern
from django.utils.http import is_same_domain

logger = logging.getLogger(__name__)


def site_origin(scope: dict[str, Any], host: str | None) -> str | None:
    """This site's origin as the handshake addressed it, or None when its Host is not one of ALLOWED_HOSTS.

    As Django's request.get_host() and is_secure() see a page's request: the
    scheme is the scope's, after config/asgi.py's forwarded-headers handling.
    """
    if host is None:
        return None
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return f"{scheme}://{host}"


def is_trusted_origin(origin: str) -> bool:
    """One of CSRF_TRUSTED_ORIGINS, a `*.` pattern matching subdomains, as Django's CSRF check reads them."""
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if "*" not in origin and origin in trusted:
        return True
    subdomains: defaultdict[str, list[str]] = defaultdict(list)
    for pattern in (urlsplit(entry) for entry in trusted if "*" in entry):
        subdomains[pattern.scheme].append(pattern.netloc.lstrip("*"))
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(is_same_domain(parsed.netloc, netloc) for netloc in subdomains.get(parsed.scheme, ()))


def origin_allowed(scope: dict[str, Any], origin: str | None, host: str | None) -> bool:
    """The page that opens a socket must be this site's, as for a form (django/middleware/csrf.py _origin_verified).

    Scheme, host and port count: a page on another port of the same host, or
    over plain HTTP, is another site to the browser, which still sends it the
    cookies. A refusal is logged with the origin (not a secret), never cookies.
    """
    own = site_origin(scope, host)
    if origin is not None and (origin == own or is_trusted_origin(origin)):
        return True
    logger.info(
        "refused socket handshake: origin %s is not allowed (this site is %s)",
        origin or "(none)",
        own or "(a host outside ALLOWED_HOSTS)",
    )
    return False


class SocketEntry:
    """The ASGI app for WebSocket scopes: `urlconf` names a module whose `urlpatterns` route to consumers."""

    def __init__(self, urlconf: str) -> None:
        self.resolver = URLResolver(RegexPattern(r"^/"), urlconf)

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        # Repeated Origin or Host headers are joined, as Django joins them, so they match nothing; the first Cookie.
        origins: list[bytes] = []
        hosts: list[bytes] = []
        cookie = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origins.append(value)
            elif name == b"host":
                hosts.append(value)
            elif name == b"cookie" and cookie is None:
                cookie = value
        origin = b",".join(origins).decode("latin-1") if origins else None
        host = b",".join(hosts).decode("latin-1") if hosts else None
        if not origin_allowed(scope, origin, host):
            return WebsocketDenier()(scope, receive, send)  # type: ignore[no-any-return]
        # rooms/sockets/routing.py ends with a catch-all that refuses; an address outside the site is refused here.
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

"""What stands between a WebSocket handshake and the room consumer: the origin check, then the session and user.

It does what Channels' `AllowedHostsOriginValidator(AuthMiddlewareStack(...))`
does, and two things differently:

- A refused origin is logged (the Origin header is not a secret; cookies are
  never logged). Channels refuses silently.
- The session is read, never written. Channels' SessionMiddleware wraps the
  socket's `send` so that it can save a session changed while the socket is
  open; room sockets never change it, and that wrapper ran on every message
  delivered to every page. Nothing here wraps `send`.
"""

import logging
from importlib import import_module
from typing import Any
from urllib.parse import ParseResult

from channels.auth import AuthMiddleware
from channels.security.websocket import OriginValidator
from channels.sessions import CookieMiddleware
from django.conf import settings

logger = logging.getLogger(__name__)

ASGIApp = Any


class LoggedOriginValidator(OriginValidator):  # type: ignore[misc]
    """Channels' origin check, against ALLOWED_HOSTS, noting each refusal."""

    def __init__(self, application: ASGIApp) -> None:
        super().__init__(application, settings.ALLOWED_HOSTS)

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        valid = bool(super().valid_origin(parsed_origin))
        if not valid:
            origin = parsed_origin.geturl() if parsed_origin is not None else "(none)"
            logger.info("refused socket handshake: origin %s is not allowed", origin)
        return valid


class ReadOnlySessionMiddleware:
    """Puts the browser's session (from its cookie) in the scope, for AuthMiddleware to find the user."""

    def __init__(self, application: ASGIApp) -> None:
        self.application = application
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        session_key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        return await self.application({**scope, "session": self.session_store(session_key)}, receive, send)


def guarded(application: ASGIApp) -> ASGIApp:
    return LoggedOriginValidator(CookieMiddleware(ReadOnlySessionMiddleware(AuthMiddleware(application))))

"""Logs every refused WebSocket handshake, whichever layer refused it.

The origin check (Channels' AllowedHostsOriginValidator) refuses silently;
this sits outside it and notes any handshake answered with a close before an
accept. The Origin header is logged (it is not a secret); cookies never are.
"""

import logging
from typing import Any

logger = logging.getLogger(__name__)

ASGIApp = Any


class LogRefusedHandshakes:
    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        accepted = False

        async def watching_send(message: dict[str, Any]) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
            elif message["type"] == "websocket.close" and not accepted:
                origin = dict(scope.get("headers", [])).get(b"origin", b"(none)").decode("latin-1")
                logger.info("refused socket handshake: %s from origin %s", scope.get("path"), origin)
            await send(message)

        await self.application(scope, receive, watching_send)

"""HTTP goes to Django; WebSockets through the origin check and the routes (rooms/socket_stack.py) to a consumer.

`application` is a plain function that returns the app's coroutine, where an
ASGI middleware (Channels' ProtocolTypeRouter, uvicorn's proxy headers) would
await it: an awaiting middleware stays on the stack for a socket's whole life,
holding the handshake's scope and headers (see rooms/socket_stack.py).
"""

import inspect
import os
from collections.abc import Awaitable
from typing import Any

from django.core.asgi import get_asgi_application
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Set Django up before importing anything that touches models.
django_asgi_app = get_asgi_application()

from rooms.socket_stack import SocketEntry  # noqa: E402

socket_entry = SocketEntry("rooms.routing")


async def _done(scope: Any, receive: Any, send: Any) -> None:
    return None


class ForwardedHeaders:
    """uvicorn's proxy-headers middleware (client address and scheme from a trusted proxy), as a plain call.

    Its own code rewrites the scope; it is run to completion at once, against
    an app that returns, instead of staying on the stack. config/serve.py turns
    uvicorn's copy off; left on (plain `uvicorn config.asgi:application`), the
    two agree, as the rewrite gives the same answer twice.
    """

    def __init__(self, trusted_hosts: str) -> None:
        self.middleware = ProxyHeadersMiddleware(_done, trusted_hosts)

    def __call__(self, scope: dict[str, Any]) -> None:
        with_proxy_headers = self.middleware(scope, _done, _done)  # type: ignore[arg-type]
        try:
            with_proxy_headers.send(None)
        except StopIteration:
            return
        with_proxy_headers.close()
        raise RuntimeError("uvicorn's ProxyHeadersMiddleware waited on something")


# The variable and the default uvicorn reads for its --forwarded-allow-ips.
forwarded_headers = ForwardedHeaders(os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))


def application(scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
    if scope["type"] == "websocket":
        forwarded_headers(scope)
        return socket_entry(scope, receive, send)
    if scope["type"] == "http":
        forwarded_headers(scope)
    return django_asgi_app(scope, receive, send)  # HTTP, and lifespan (which Django refuses)


# An ASGI 3 app to servers that ask inspect.iscoroutinefunction (uvicorn, daphne, asgiref).
inspect.markcoroutinefunction(application)

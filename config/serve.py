"""Serve the chat in production: `python -m config.serve [--host H] [--port P] [--workers N]`.

This is the production server. Plain `uvicorn config.asgi:application` serves
everything too, but without the limits only a server can keep (README,
Serving it): here are the options the chat is tuned for, kept in one place for
the Makefile, the tests and the benchmark, and static files are collected
first, so that they are served under content-hashed names with long-lived
caching.
"""

import argparse
import os

import django
import uvicorn
from django.core.management import call_command

# A compose frame is a few KiB at most: the server refuses bigger frames with
# 1009 before the application reads them (the consumer checks again, for
# servers started without this). Per-message deflate is off: it costs memory
# per connection and makes every recipient's copy of a broadcast different.
SERVER_OPTIONS = {
    "loop": "uvloop",
    # httptools, with a deadline and a size limit for request headers, which uvicorn
    # has not: a client trickling its headers would hold its connection for ever.
    "http": "config.http_protocol:BoundedHttpToolsProtocol",
    "timeout_keep_alive": 5,  # seconds an idle kept-alive connection stays open (uvicorn's default, stated)
    # On SIGTERM, requests still running get this long; then the process exits. Sockets are
    # closed with 1012 at once, whatever this says (their pages reconnect to another process).
    "timeout_graceful_shutdown": 10,
    # No limit_concurrency: uvicorn counts every open WebSocket against it, so it would cap
    # a room's listeners, not slow clients. The proxy in front caps connections (README).
    # uvicorn's websockets-sansio protocol (the fastest here), lighter per socket
    # and framing a broadcast once for all its recipients: see the module.
    "ws": "config.websocket_protocol:ChatWebSocketProtocol",
    "ws_max_size": 64 * 1024,
    "ws_per_message_deflate": False,
    "ws_ping_interval": 20.0,  # finds dead sockets; a reply keeps proxies from closing idle ones
    "ws_ping_timeout": 20.0,
    "lifespan": "off",
}
# The same with uvicorn's own protocol: what the benchmark's baselines run on.
STOCK_SERVER_OPTIONS = {**SERVER_OPTIONS, "http": "httptools", "ws": "websockets-sansio"}

# Set for the processes this starts: config/asgi.py warns when it is served by anything else.
STARTED_BY = "CHAT_STARTED_BY_CONFIG_SERVE"


def collect_static_files() -> None:
    """Collect static files under content-hashed names, and serve those (settings.COLLECTED_STATIC)."""
    os.environ["COLLECTED_STATIC"] = "true"  # for this process and the workers it starts
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    args = parser.parse_args()
    collect_static_files()
    os.environ[STARTED_BY] = "true"
    uvicorn.run(
        "config.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,  # config/asgi.py applies them, without a coroutine kept per socket
        **SERVER_OPTIONS,  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()

"""A consumer without a channel of its own: what the chat's sockets have in common."""

import contextlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from rooms.sockets.fanout import ProcessFanout, process_fanout

# What a socket keeps of its handshake's scope once connect has read it: nothing, and one for all.
OPEN_SOCKET_SCOPE = MappingProxyType({"type": "websocket"})


class ChannelLessConsumer(AsyncWebsocketConsumer):
    # Not per socket, as Channels sets them: no channel, no groups (an empty list each), so a socket's
    # attributes fit a smaller dict (an idle socket's memory, bench/README.md session 9).
    channel_layer = None
    groups = ()
    scope: Mapping[str, Any]

    @property
    def fanout(self) -> ProcessFanout:
        """The process's, one per event loop, that hands this socket its events: not kept per socket."""
        return process_fanout()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' consumer loop for a consumer without a channel: one task per socket, reading and dispatching.

        Channels' own runs every read as a task of its own (to wait on the
        socket and a channel at once) and, since Channels 4.2, closes old
        database connections before every handler, a thread hop each time;
        here the database thread does that itself (rooms/sockets/database_trips.py).
        Events reach the socket from the process's fan-out (fanout.py) instead.
        """
        self.scope, self.base_send = scope, send
        del scope  # else this frame holds the handshake's headers for the socket's life (connect drops self.scope)
        with contextlib.suppress(StopConsumer):
            try:
                while True:
                    message = await receive()
                    await getattr(self, get_handler_name(message))(message)
            except OSError:  # uvicorn's ClientDisconnected: a handler's send found the page gone (or dropped)
                await self.disconnect(1006)  # its disconnect event, if any, is never read now

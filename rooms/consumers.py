"""The room's WebSocket: htmx's ws extension sends the compose form here as JSON.

Thin on purpose (STYLE.md §5): a frame is parsed, handed to the same
post_message the plain POST uses, and the sender gets back their composer;
what everybody sees arrives through room_message, already rendered.

Delivery (DESIGN.md §2): the page says, in `?after=`, the sequence number of
the newest message it shows. On connect the consumer joins the room's group
first and then sends what the page missed, so nothing falls between the two;
afterwards it forwards broadcasts in sequence order, dropping repeats and
reading any gap (a lost or late broadcast) from the database.
"""

import asyncio
import contextlib
import logging
import random
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied
from redis.exceptions import RedisError

from rooms import catch_up, cutoff
from rooms.composing import post_and_reply, read_compose_frame
from rooms.models import Room, User

logger = logging.getLogger(__name__)

# 1008 and 1003 are final: htmx's ws extension reconnects only after 1006, 1011, 1012 and 1013.
CLOSE_POLICY_VIOLATION = 1008
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_MESSAGE_TOO_BIG = 1009

# What a channel layer raises when its Redis is gone; the in-memory layer never does.
LAYER_ERRORS = (RedisError, OSError)
LAYER_RETRY_MAX_SECONDS = 30
# Servers started with config/serve.py refuse bigger frames themselves; this
# holds for any server. Counted in characters, which is never more than bytes.
MAX_FRAME_CHARACTERS = 64 * 1024

# One person's sockets in this process; more is a runaway script, not a person.
MAX_SOCKETS_PER_USER = 20
open_sockets: Counter[int] = Counter()

# channels-redis forgets group members after a day (group_expiry); a socket
# that stays open longer renews its membership well before that.
GROUP_RENEWAL_SECONDS = 6 * 60 * 60


class RoomConsumer(AsyncWebsocketConsumer):
    """One page's socket in one room."""

    room: Room
    user: User
    last_seq: int  # the newest message this page has been sent
    session: str  # cutoff.session_tag of the browser session that opened this socket
    renewal: asyncio.Task[None] | None = None
    counted = False  # whether this socket is in open_sockets
    layer_down = False  # the channel layer failed and has not answered since

    # Channels reads the channel layer through `channel_receive`, which it sets
    # to the layer's bare receive; this property keeps that assignment from
    # taking effect and reads through receive_from_layer instead.
    @property
    def channel_receive(self) -> Any:
        return self.receive_from_layer

    @channel_receive.setter
    def channel_receive(self, _bare_receive: Any) -> None:
        pass

    async def receive_from_layer(self) -> dict[str, Any]:
        """The layer's next event; while the layer is down (Redis restarting), wait it out.

        The socket stays open meanwhile: people can still send (their messages
        are saved, and come back to them from the database). Once the layer
        answers again, the socket rejoins its groups (a restarted Redis has
        forgotten them) and fetches what it missed.
        """
        failures = 0
        while True:
            try:
                if self.layer_down:
                    await self.join_groups()
                    self.layer_down = False
                    logger.info("channel layer back for user %s in room %s", self.user.pk, self.room.pk)
                    return {"type": "layer.recovered"}
                return dict(await self.channel_layer.receive(self.channel_name))
            except LAYER_ERRORS as error:
                if not self.layer_down:
                    logger.warning("channel layer unavailable (%r); socket kept open", error)
                self.layer_down = True
                failures += 1
                await asyncio.sleep(min(LAYER_RETRY_MAX_SECONDS, 2**failures) * random.uniform(0.5, 1))  # noqa: S311

    async def layer_recovered(self, event: dict[str, Any]) -> None:
        await self.send_missed()

    async def connect(self) -> None:
        user = self.scope["user"]
        room = await database_sync_to_async(catch_up.find_member_room)(user, self.scope["url_route"]["kwargs"]["slug"])
        if room is None:
            logger.info("refused socket: user %s may not join %r", user.pk, self.scope["path"])
            await self.close()  # before accept: the handshake is answered 403
            return
        if open_sockets[user.pk] >= MAX_SOCKETS_PER_USER:
            logger.warning("refused socket: user %s already has %d open", user.pk, open_sockets[user.pk])
            await self.close()
            return
        open_sockets[user.pk] += 1
        self.counted = True
        self.room, self.user = room, user
        self.session = cutoff.session_tag(self.scope["session"].session_key)
        try:
            await self.join_groups()
        except LAYER_ERRORS as error:
            logger.warning("channel layer unavailable (%r); socket opened without it", error)
            self.layer_down = True
        await self.accept()
        logger.info("socket opened: user %s in room %s", user.pk, room.pk)
        self.last_seq = read_cursor(self.scope["query_string"], default=room.last_seq)
        await self.send_missed()
        self.renewal = asyncio.create_task(self.renew_group_memberships())

    def groups_to_join(self) -> list[str]:
        # The room's messages, and the user's cut-off events (cutoff.py).
        return [self.room.group_name, cutoff.user_group(self.user.pk)]

    async def join_groups(self) -> None:
        for group in self.groups_to_join():
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.renewal is not None:
            self.renewal.cancel()
        if self.counted:
            open_sockets[self.user.pk] -= 1
            if not open_sockets[self.user.pk]:
                del open_sockets[self.user.pk]
            with contextlib.suppress(*LAYER_ERRORS):
                for group in self.groups_to_join():
                    await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data) > MAX_FRAME_CHARACTERS:
            logger.info("closed socket of user %s: frame of %d characters", self.user.pk, len(text_data))
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        fields = read_compose_frame(text_data)
        try:
            reply = await database_sync_to_async(post_and_reply)(
                self.room, self.user, fields, shown_up_to=self.last_seq
            )
        except PermissionDenied:
            await self.close(code=CLOSE_POLICY_VIOLATION)
            return
        await self.send(text_data=reply.html)
        self.last_seq = reply.last_seq

    async def room_message(self, event: dict[str, Any]) -> None:
        """A message rendered once by the process that saved it: forward it untouched, in order."""
        seq = event["seq"]
        if seq <= self.last_seq:
            return  # already sent, by catch-up or an earlier copy
        if seq > self.last_seq + 1:
            await self.send_missed(until=seq - 1)
        await self.send(text_data=event["html"])
        self.last_seq = seq

    async def send_missed(self, *, until: int | None = None) -> None:
        missed = await database_sync_to_async(catch_up.render_missed)(self.room, after=self.last_seq, until=until)
        if missed is not None:
            await self.send(text_data=missed.html)
            self.last_seq = missed.last_seq

    async def cutoff(self, event: dict[str, Any]) -> None:
        """Close if this socket's session signed out, its user was deactivated, or left this room."""
        if event.get("session", self.session) == self.session and event.get("room", self.room.pk) == self.room.pk:
            logger.info("socket closed: user %s cut off from room %s", self.user.pk, self.room.pk)
            await self.close(code=CLOSE_POLICY_VIOLATION)

    async def renew_group_memberships(self) -> None:
        while True:
            await asyncio.sleep(GROUP_RENEWAL_SECONDS)
            with contextlib.suppress(*LAYER_ERRORS):  # receive_from_layer rejoins after an outage
                await self.join_groups()


def read_cursor(query_string: bytes, *, default: int) -> int:
    """`?after=N` from the socket's address; without a readable one, the page is taken to be up to date."""
    values = parse_qs(query_string.decode("latin-1")).get("after", [])
    value = values[0] if values else ""
    return int(value) if value.isascii() and value.isdigit() else default


class RefusingConsumer(AsyncWebsocketConsumer):
    """Answers a handshake for an address that is no room with 403, as for a room one may not see."""

    async def connect(self) -> None:
        logger.info("refused socket: no room at %r", self.scope["path"])
        await self.close()

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

import logging
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError

from rooms import access, catch_up, cutoff
from rooms.composing import post_and_reply, read_compose_frame
from rooms.history import parse_seq
from rooms.languages import language_of
from rooms.layer_resilience import LayerResilienceMixin
from rooms.models import Room, User

logger = logging.getLogger(__name__)

# 1008 and 1003 are final: htmx's ws extension reconnects only after 1006, 1011, 1012 and 1013.
CLOSE_POLICY_VIOLATION = 1008
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_TRY_AGAIN_LATER = 1013

# Servers started with config/serve.py refuse bigger frames themselves; this
# holds for any server. Counted in characters, which is never more than bytes.
MAX_FRAME_CHARACTERS = 64 * 1024

# One person's sockets in this process; more is a runaway script, not a person.
MAX_SOCKETS_PER_USER = 20
open_sockets: Counter[int] = Counter()


class RoomConsumer(LayerResilienceMixin, AsyncWebsocketConsumer):
    """One page's socket in one room."""

    room: Room
    user: User
    last_seq: int  # the newest message this page has been sent
    session: str  # cutoff.session_tag of the browser session that opened this socket
    language: str  # what the replies to this page are written in
    counted = False  # whether this socket is in open_sockets

    async def connect(self) -> None:
        user = self.scope["user"]
        try:
            room = await database_sync_to_async(access.find_member_room)(
                user, self.scope["url_route"]["kwargs"]["slug"]
            )
        except DatabaseError as error:
            logger.warning("refused socket: database unavailable (%r)", error)
            await self.close()  # the page retries with backoff
            return
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
        self.language = language_of(self.scope)
        await self.join_groups()
        await self.accept()
        logger.info("socket opened: user %s in room %s", user.pk, room.pk)
        # A cursor past the room's newest message (a page from before a database
        # reset, a hand-made address) would silence the socket: clamp it.
        self.last_seq = min(read_cursor(self.scope["query_string"], default=room.last_seq), room.last_seq)
        await self.send_missed(quiet=True)

    def groups_to_join(self) -> list[str]:
        # The room's messages, and the user's cut-off events (cutoff.py).
        return [self.room.group_name, cutoff.user_group(self.user.pk)]

    async def on_layer_recovered(self) -> None:
        await self.send_missed(quiet=True)

    async def disconnect(self, code: int) -> None:
        if self.counted:
            open_sockets[self.user.pk] -= 1
            if not open_sockets[self.user.pk]:
                del open_sockets[self.user.pk]
            await self.leave_groups()

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
                self.room, self.user, fields, shown_up_to=self.last_seq, language=self.language
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
        if seq > self.last_seq + 1 and not await self.send_missed(until=seq - 1, quiet=False):
            return
        await self.send(text_data=event["html"])
        self.last_seq = seq

    async def send_missed(self, *, until: int | None = None, quiet: bool) -> bool:
        """Send what the page lacks (up to `until`) from the database; False if the database failed.

        Catch-up after a (re)connect is `quiet`; a gap in live messages is not.
        """
        try:
            missed = await database_sync_to_async(catch_up.render_missed)(
                self.room, after=self.last_seq, until=until, quiet=quiet, language=self.language
            )
        except DatabaseError as error:
            # Sending on would leave a hole: let the page reconnect and catch up later.
            logger.warning("closed socket: database unavailable for catch-up (%r)", error)
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return False
        if missed is not None:
            await self.send(text_data=missed.html)
            self.last_seq = missed.last_seq
        return True

    async def cutoff(self, event: dict[str, Any]) -> None:
        """Close if this socket's session signed out, its user was deactivated, or left this room."""
        if event.get("session", self.session) == self.session and event.get("room", self.room.pk) == self.room.pk:
            logger.info("socket closed: user %s cut off from room %s", self.user.pk, self.room.pk)
            await self.close(code=CLOSE_POLICY_VIOLATION)


def read_cursor(query_string: bytes, *, default: int) -> int:
    """`?after=N` from the socket's address; without a readable one, the page is taken to be up to date."""
    values = parse_qs(query_string.decode("latin-1")).get("after", [])
    seq = parse_seq(values[0] if values else None)
    return default if seq is None else seq


class RefusingConsumer(AsyncWebsocketConsumer):
    """Answers a handshake for an address that is no room with 403, as for a room one may not see."""

    async def connect(self) -> None:
        logger.info("refused socket: no room at %r", self.scope["path"])
        await self.close()

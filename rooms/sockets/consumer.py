"""The room's WebSocket: htmx's hx-ws extension sends the compose form here as JSON.

Thin on purpose (STYLE.md §5): a frame is parsed, handed to the same
post_message the plain POST uses, and the sender gets back their composer;
what everybody sees arrives through room_message, already rendered.

Delivery (DESIGN.md §2): every change to a room is numbered, and the page
says, in `?after=`, the newest change it has seen (its cursor). On connect the
consumer subscribes to its room (rooms/sockets/fanout.py) first and then sends
what changed since, so nothing falls between the two; afterwards it forwards
changes in their order, dropping repeats and reading any gap (a lost or late
broadcast) from the database.

Who is here and who is typing are ephemeral (DESIGN.md §2): on connect the
socket counts its person in (rooms/people/presence.py) and sends the page the
list whole; afterwards it forwards who comes and goes, and who types (never
the page's own person), dropping what the list it sent already holds.

Everything sent to the page after the handshake goes through `deliver`, one
event at a time and in order. A broadcast is written straight through when
the page keeps up (no task, no queue: that is most of what a delivery costs);
a page that is slow to read gets a short backlog, and one that falls too far
behind is closed, to reconnect and catch up from the database.
"""

import asyncio
import contextlib
import logging
from collections import Counter, deque
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError

from rooms import access
from rooms.events import CutOff, CutOffReason, Event, MessageChanged, PresenceChanged, Typing
from rooms.messages import catch_up
from rooms.messages.composing import post_and_reply, read_compose_frame, read_frame
from rooms.messages.history import parse_seq
from rooms.models import Room, User
from rooms.people import cutoff, presence, typing
from rooms.sockets import broadcast, close_codes
from rooms.sockets.channel_less import OPEN_SOCKET_SCOPE, ChannelLessConsumer
from rooms.sockets.database_trips import in_database_thread
from rooms.sockets.fanout import LayerRecovered
from rooms.sockets.languages import language_of
from rooms.sockets.shared_reads import SharedReads

logger = logging.getLogger(__name__)

# Servers started with config/serve.py refuse bigger frames themselves; this
# holds for any server. Counted in characters, which is never more than bytes.
MAX_FRAME_CHARACTERS = 64 * 1024

# One person's sockets in this process; more is a runaway script, not a person.
MAX_SOCKETS_PER_USER = 20
open_sockets: Counter[int] = Counter()

# Events a page may fall behind by before it is closed (to reconnect and catch up from the database).
MAX_BACKLOG = 200

# What pages missed, read once for all the process's pages that miss the same (rooms/sockets/shared_reads.py).
missed_reads: SharedReads[catch_up.Missed | None] = SharedReads()


# The consumer's own events, sent through `deliver` like broadcasts so that they keep their place.
@dataclass(frozen=True, slots=True)
class CatchUp:
    """Send the page what changed after its cursor, quietly (on connect)."""


@dataclass(frozen=True, slots=True)
class HereNow:
    """Send the page who is in the room now, the list whole (on connect, and after a layer outage)."""


@dataclass(frozen=True, slots=True)
class SendReply:
    """The sender's composer, and the change their message made (None if nothing was saved)."""

    html: str
    change: int | None


Delivery = Event | LayerRecovered | CatchUp | HereNow | SendReply

# Why a socket is cut off, as the close code that tells its page (rooms/sockets/close_codes.py).
CUT_OFF_CODES = {
    CutOffReason.SIGNED_OUT: close_codes.SIGNED_OUT,
    CutOffReason.DEACTIVATED: close_codes.DEACTIVATED,
    CutOffReason.LEFT_ROOM: close_codes.NOT_A_MEMBER,
}


class RoomConsumer(ChannelLessConsumer):
    """One page's socket in one room."""

    room: Room
    user: User
    cursor: int  # the newest change of the room this page has been sent
    session: str  # cutoff.session_tag of the browser session that opened this socket
    language: str  # what the replies to this page are written in
    counted = False  # whether this socket is in open_sockets
    present = False  # whether this socket is counted among who is here
    presence_stamp = 0  # the stamp of the list this page was sent whole: changes up to it are in it
    typing_quiet_until = 0.0  # the event loop's time before which this socket's typing frames are ignored
    typist: Typing | None = None  # how this socket's person is named as a typist, once they have typed
    closing = False  # closed, or being closed: nothing more is sent
    sending: asyncio.Task[None] | None = None  # the delivery waiting for the page, if one is
    backlog: deque[Delivery] | None = None  # what waits behind it
    list_pending = False  # a HereNow waits in the backlog: presence changes until then are in the list it sends
    closer: asyncio.Task[None] | None = None  # a close that deliver started

    async def connect(self) -> None:
        # Read here, once; nothing wraps `send` to save it later (rooms/sockets/entry.py).
        session = import_module(settings.SESSION_ENGINE).SessionStore(
            self.scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        )
        try:
            user = await get_user({"session": session})
            room = await in_database_thread(access.find_member_room, user, self.scope["url_route"]["kwargs"]["slug"])
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
        self.session = cutoff.session_tag(session.session_key)
        self.language = language_of(self.scope)
        # A cursor past the room's newest change (a page from before a database
        # reset, a hand-made address) would silence the socket: clamp it.
        self.cursor = min(read_cursor(self.scope["query_string"], default=room.last_seq), room.last_seq)
        # All the handshake had to say is read: keep none of it for the socket's life.
        self.scope = OPEN_SOCKET_SCOPE
        await self.fanout.subscribe(room.group_name, self, changes_after=room.last_seq)
        await self.accept()
        logger.info("socket opened: user %s in room %s", user.pk, room.pk)
        self.deliver(CatchUp())
        self.present = True
        await presence.came(room.pk, user)
        self.deliver(HereNow())

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.counted:
            open_sockets[self.user.pk] -= 1
            if not open_sockets[self.user.pk]:
                del open_sockets[self.user.pk]
            if self.present:
                presence.went(self.room.pk, self.user.pk)
            await self.fanout.unsubscribe(self.room.group_name, self)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if not self.closing:
            self.closing = True
            await super().close(code=code, reason=reason)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(code=close_codes.UNREADABLE)
            return
        if len(text_data) > MAX_FRAME_CHARACTERS:
            logger.info("closed socket of user %s: frame of %d characters", self.user.pk, len(text_data))
            await self.close(code=close_codes.TOO_LARGE)
            return
        frame = read_frame(text_data)
        if typing.is_typing_frame(frame):
            assert frame is not None
            await self.typed(frame)
            return
        fields = read_compose_frame(frame)
        try:
            reply = await in_database_thread(
                post_and_reply, self.room, self.user, fields, language=self.language, lane=self.room.pk
            )
        except PermissionDenied:  # left or removed in another tab, and the cut-off has not arrived yet
            await self.close(code=close_codes.NOT_A_MEMBER)
            return
        self.deliver(SendReply(html=reply.html, change=reply.change))

    async def typed(self, frame: dict[str, Any]) -> None:
        """The page's person is typing: told to the room's other pages, at most every TYPING_INTERVAL seconds."""
        if not typing.is_well_formed(frame):
            logger.info("closed socket of user %s: a typing frame with more than it should hold", self.user.pk)
            await self.close(code=close_codes.UNREADABLE)
            return
        now = asyncio.get_running_loop().time()
        if now < self.typing_quiet_until:
            return  # faster than any page of ours sends: ignored, not worth a close
        self.typing_quiet_until = now + typing.TYPING_INTERVAL
        try:
            member = await in_database_thread(access.is_member, self.user, self.room, lane=self.room.pk)
        except DatabaseError as error:
            logger.warning("typing of user %s not relayed: database unavailable (%r)", self.user.pk, error)
            return
        if not member:  # left or removed in another tab, and the cut-off has not arrived yet
            await self.close(code=close_codes.NOT_A_MEMBER)
            return
        if self.typist is None:
            self.typist = typing.typing_event(self.room, self.user)
        await broadcast(self.typist)

    def deliver(self, event: Delivery) -> None:
        """Send one event to the page, after those before it; never waits (rooms/sockets/fanout.py calls this)."""
        if self.closing:
            return
        if type(event) is CutOff:
            self.cut_off(event)  # at once, even past a backlog
        elif self.sending is not None:
            self.wait_behind(event)
        else:
            # Eager: runs here and now up to its first real wait, which, when the page
            # keeps up, never comes; then it is done without being scheduled at all.
            task = asyncio.eager_task_factory(asyncio.get_running_loop(), self.send_in_order(event))
            if not task.done():
                self.sending = task

    def wait_behind(self, event: Delivery) -> None:
        if self.backlog is None:
            self.backlog = deque()
        if type(event) is PresenceChanged:
            # People coming and going while the page waits (its catch-up on opening, or a slow
            # reader in a busy room) need not pile up: the list whole, read when its turn comes,
            # holds them all. So they never close a socket for being behind, as messages may.
            if self.list_pending:
                return
            if len(self.backlog) >= MAX_BACKLOG // 2:
                event = HereNow()
        if type(event) is HereNow:
            if self.list_pending:
                return  # one is on its way already
            self.list_pending = True
        if len(self.backlog) < MAX_BACKLOG:
            self.backlog.append(event)
            return
        logger.warning("closed socket of user %s: %d events behind", self.user.pk, len(self.backlog))
        self.backlog.clear()
        self.close_soon(close_codes.TRY_AGAIN_LATER)

    async def send_in_order(self, event: Delivery) -> None:
        try:
            while not self.closing:
                if type(event) is MessageChanged and event.change == self.cursor + 1:
                    # The common case, kept short (it runs once per change per page): the
                    # next change in order goes straight to the server, past Channels' send layers.
                    await self.base_send({"type": "websocket.send", "text": event.html[self.language]})
                    self.cursor = event.change
                elif type(event) is PresenceChanged:
                    # As short: a busy room's comings and goings reach every page in it.
                    # What the list this page was sent whole has already is left out (and a count
                    # older than one handed out before, by rooms/sockets/presence_order.py).
                    news = event.after(self.presence_stamp)
                    if news is not None:
                        await self.base_send({"type": "websocket.send", "text": news.frame(self.language)})
                elif type(event) is Typing:
                    if event.user_id != self.user.pk:  # never to the typist's own pages
                        await self.base_send({"type": "websocket.send", "text": event.html})
                else:
                    await self.handle(event)
                if not self.backlog:
                    # Nothing kept for an idle socket: every page opening waits behind its catch-up.
                    self.backlog = None
                    return
                event = self.backlog.popleft()
        except OSError as error:  # uvicorn's ClientDisconnected: the page went away mid-send
            logger.info("socket of user %s gone while sending (%r)", self.user.pk, error)
        finally:
            self.sending = None

    async def handle(self, event: Delivery) -> None:
        match event:
            case MessageChanged():
                await self.message_changed(event)
            case SendReply(html=html, change=change):
                await self.send(text_data=html)
                # The sender's own message, if the broadcast has not brought it yet (Redis down, or slower).
                if change is not None and change > self.cursor:
                    await self.send_missed(until=change, quiet=True)
            case CatchUp():
                await self.send_missed(quiet=True)
            case HereNow():
                self.list_pending = False  # what comes from now on is after the list it reads
                await self.send_people_here()
            case LayerRecovered():
                await self.send_missed(quiet=True)
                await self.send_people_here()  # comings and goings may have been lost too
            case _:
                # A new event type must be taught to the consumer; dropping it quietly would hide the gap.
                raise TypeError(f"the room consumer does not know the event {event!r}")

    async def message_changed(self, event: MessageChanged) -> None:
        """A change rendered once by the process that saved it: forward it untouched, in order."""
        if event.change <= self.cursor:
            return  # already sent, by catch-up or an earlier copy
        if event.change > self.cursor + 1 and not await self.send_missed(until=event.change - 1, quiet=False):
            return
        await self.send(text_data=event.html[self.language])
        self.cursor = event.change

    async def send_missed(self, *, until: int | None = None, quiet: bool) -> bool:
        """Send what changed after the page's cursor (up to `until`) from the database; False if the database failed.

        Catch-up after a (re)connect is `quiet`; a gap in live messages is not.
        """
        after, room, language = self.cursor, self.room, self.language
        try:
            missed = await missed_reads.read(
                (room.pk, after, until, quiet, language),
                lambda: in_database_thread(
                    catch_up.render_missed, room, after=after, until=until, quiet=quiet, language=language, lane=room.pk
                ),
            )
        except DatabaseError as error:
            # Sending on would leave a hole: let the page reconnect and catch up later.
            logger.warning("closed socket: database unavailable for catch-up (%r)", error)
            await self.close(code=close_codes.TRY_AGAIN_LATER)
            return False
        if missed is not None:
            await self.send(text_data=missed.html)
            self.cursor = missed.cursor
        return True

    async def send_people_here(self) -> None:
        """Send the page who is here now, the list whole; changes up to it are then dropped (they are in it)."""
        listed = await presence.list_frame(self.room.pk, language=self.language)
        if listed is not None:
            self.presence_stamp, html = listed
            await self.send(text_data=html)

    def cut_off(self, event: CutOff) -> None:
        """Close if this socket's user was deactivated, its session signed out, or it is in the room they left."""
        if (
            event.user_id == self.user.pk
            and event.session in (None, self.session)
            and event.room_id in (None, self.room.pk)
        ):
            logger.info("socket closed: user %s cut off from room %s (%s)", self.user.pk, self.room.pk, event.reason)
            self.backlog = None
            self.close_soon(CUT_OFF_CODES[event.reason])

    def close_soon(self, code: int) -> None:
        """Close without waiting here: the close frame waits behind what the page has not read yet.

        A page that reads nothing never gets it; the server drops such a socket
        after SOCKET_STALL_TIMEOUT (config/websocket_protocol.py), and then its
        disconnect frees its place in open_sockets.
        """
        self.closer = asyncio.create_task(self.close_unless_gone(code))

    async def close_unless_gone(self, code: int) -> None:
        with contextlib.suppress(OSError):  # uvicorn's ClientDisconnected: gone (or dropped) before the close
            await self.close(code=code)


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

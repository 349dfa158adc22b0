"""The news socket: one per page of a signed-in person, wherever they are in the chat (rooms/people/news.py).

It hears the news of every room the person is a member of (but the one their page shows, which has its
own socket) and what concerns them alone (their counts, after they read a room in another page), and
passes each frame on as it is: no database work per event, nothing rendered per reader.
"""

import asyncio
import contextlib
import logging
from collections import Counter, deque
from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import get_user
from django.conf import settings
from django.db import DatabaseError

from rooms.events import CutOff, CutOffReason, Event, RoomJoined, RoomNews, UnreadChanged, news_group, person_group
from rooms.messages.history import parse_seq
from rooms.models import User
from rooms.people import cutoff, news
from rooms.sockets import close_codes
from rooms.sockets.channel_less import OPEN_SOCKET_SCOPE, ChannelLessConsumer
from rooms.sockets.database_trips import in_database_thread
from rooms.sockets.fanout import LayerRecovered
from rooms.sockets.languages import language_of

logger = logging.getLogger(__name__)

# One person's news sockets in this process (a page each); more is a runaway script, not a person.
MAX_NEWS_SOCKETS_PER_USER = 20
open_news_sockets: Counter[int] = Counter()

# Frames a page may fall behind by before it is closed (it reconnects, and its counts are a reload away).
MAX_BACKLOG = 200

CUT_OFF_CODES = {
    CutOffReason.SIGNED_OUT: close_codes.SIGNED_OUT,
    CutOffReason.DEACTIVATED: close_codes.DEACTIVATED,
}


class NewsConsumer(ChannelLessConsumer):
    user: User
    listening_to: list[str]  # not `groups`: Channels reads that, for a channel this consumer does not have
    session: str
    language: str
    shown: int | None  # the room the page shows, whose own socket brings its news
    counted = False
    closing = False
    backlog: deque[str] | None = None  # frames waiting behind one the page has not taken yet

    async def connect(self) -> None:
        session = import_module(settings.SESSION_ENGINE).SessionStore(
            self.scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        )
        try:
            user = await get_user({"session": session})
            rooms = await in_database_thread(news.rooms_with_news_for, user)
        except DatabaseError as error:
            logger.warning("refused news socket: database unavailable (%r)", error)
            await self.close()
            return
        if rooms is None:
            await self.close()  # not signed in, or deactivated: 403
            return
        if open_news_sockets[user.pk] >= MAX_NEWS_SOCKETS_PER_USER:
            logger.warning("refused news socket: user %s already has %d open", user.pk, open_news_sockets[user.pk])
            await self.close()
            return
        open_news_sockets[user.pk] += 1
        self.counted = True
        self.user, self.language = user, language_of(self.scope)
        self.session = cutoff.session_tag(session.session_key)
        self.shown = parse_seq((parse_qs(self.scope["query_string"].decode("latin-1")).get("shown") or [None])[0])
        self.scope = OPEN_SOCKET_SCOPE
        self.listening_to = [news_group(room) for room in rooms if room != self.shown] + [person_group(user.pk)]
        for group in self.listening_to:
            await self.fanout.subscribe(group, self)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.counted:
            self.counted = False
            open_news_sockets[self.user.pk] -= 1
            if not open_news_sockets[self.user.pk]:
                del open_news_sockets[self.user.pk]
            for group in self.listening_to:
                await self.fanout.unsubscribe(group, self)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if not self.closing:
            self.closing = True
            await super().close(code=code, reason=reason)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        pass  # the page says nothing on this socket

    def deliver(self, event: Event | LayerRecovered) -> None:
        if self.closing:
            return
        if type(event) is RoomNews:
            self.push(event.html)
        elif type(event) is UnreadChanged:
            self.push(event.html.get(self.language) or next(iter(event.html.values())))
        elif type(event) is RoomJoined:
            self.joined(event)
        elif type(event) is CutOff:
            self.cut_off(event)
        # Anything else (presence, typing, a recovered layer) is for room pages.

    def joined(self, event: RoomJoined) -> None:
        """A room joined since the page was served: its news from now on, and its entry in the page's lists."""
        group = news_group(event.room_id)
        if event.room_id != self.shown and group not in self.listening_to:
            self.listening_to.append(group)
            asyncio.get_running_loop().create_task(self.fanout.subscribe(group, self))
        self.push(event.html.get(self.language) or next(iter(event.html.values())))

    def cut_off(self, event: CutOff) -> None:
        if event.user_id != self.user.pk or event.session not in (None, self.session):
            return
        if event.room_id is not None:  # left or removed: no more news of that room
            group = news_group(event.room_id)
            if group in self.listening_to:
                self.listening_to.remove(group)
                asyncio.get_running_loop().create_task(self.fanout.unsubscribe(group, self))
            return
        self.close_soon(CUT_OFF_CODES.get(event.reason, close_codes.SIGNED_OUT))

    def push(self, html: str) -> None:
        if self.backlog is not None:
            if len(self.backlog) >= MAX_BACKLOG:
                self.backlog = None
                self.close_soon(close_codes.TRY_AGAIN_LATER)
                return
            self.backlog.append(html)
            return
        # Eager: when the page keeps up, the frame is written here and now, without a task to schedule.
        task = asyncio.eager_task_factory(asyncio.get_running_loop(), self.send_in_order(html))
        if not task.done():
            self.backlog = deque()

    async def send_in_order(self, html: str) -> None:
        with contextlib.suppress(OSError):  # gone: its disconnect cleans up
            await self.send(text_data=html)
            while self.backlog:
                await self.send(text_data=self.backlog.popleft())
        self.backlog = None

    def close_soon(self, code: int) -> None:
        self.closing = True
        asyncio.get_running_loop().create_task(self._close(code))

    async def _close(self, code: int) -> None:
        with contextlib.suppress(OSError):
            await super().close(code=code)

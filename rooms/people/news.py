"""News of a room for its members' pages elsewhere in the chat: the sidebar's counts, live, and a notice
when a message mentions the reader (issue 13).

Each new message is one rendered-once data item for every member's page (DESIGN.md §3): who wrote it and
whom it mentions, not what anyone makes of it. Each page counts it as its reader chose for the room, and
skips their own messages and the room it shows (static/js/news.js): nothing here grows with the number
of readers. Reading a room, in any page, sends that person's other pages the room's new count.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from rooms import access
from rooms.events import RoomJoined, RoomNews, UnreadChanged
from rooms.models import Membership, Message, Room, User
from rooms.people import unread
from rooms.sockets import publish

logger = logging.getLogger(__name__)


def news_item(message: Message) -> str:
    url = reverse("rooms:message", kwargs={"slug": message.room.slug, "pk": message.pk})
    return format_html(
        '<div id="news" hx-swap-oob="beforeend"><data value="{}" data-room="{}" data-room-name="{}"'
        ' data-author="{}" data-author-name="{}" data-mentions="{}" data-url="{}"></data></div>',
        message.pk,
        message.room_id,
        # A conversation is called by its other people, as each of them sees it: the page names it instead.
        "" if message.room.is_direct else message.room.name,
        message.author_id,
        message.author.display_name,
        " ".join(str(pk) for pk in message.mentioned_ids),
        url,
    )


def publish_news(message: Message) -> None:
    publish(RoomNews(room_id=message.room_id, html=news_item(message)))


def publish_unread(user: User, room: Room, *, notify: str | None = None, nothing_left: bool = False) -> None:
    """`user`'s count for `room`, as their lists of rooms show it, to every page of theirs (after they
    read it). `notify`, their level for the room, and `nothing_left`, when they read to its newest
    message, save asking the database."""
    if nothing_left:
        room.unread = None  # type: ignore[attr-defined]
    else:
        room.unread = unread.unread_by_room(user, rooms=[room.pk]).get(room.pk)  # type: ignore[attr-defined]
    if notify is None:
        notify = Membership.objects.filter(user=user, room=room).values_list("notify", flat=True).first()
    room.notify = notify  # type: ignore[attr-defined]
    html = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            context = {"other": room, "oob": True}
            html[language] = render_to_string("rooms/room.html#unread-count", context).strip()
    try:
        publish(UnreadChanged(user_id=user.pk, room_id=room.pk, html=html))
    except Exception as error:
        # Best effort, as for a message's change: the mark is saved, and the other pages count it on reloading.
        # One line, no traceback: while Redis is down every page that reads ends here.
        logger.warning("could not tell user %s's other pages of room %s: %r", user.pk, room.pk, error)


def mark_read(user: User, room: Room, seq: int, *, notify: str | None = None, nothing_left: bool = False) -> None:
    """unread.mark_read, and when that moved the mark, the new count to the reader's other pages."""
    if unread.mark_read(user, room, seq):
        publish_unread(user, room, notify=notify, nothing_left=nothing_left)


def tell_of_joining(room: Room, users: list[User]) -> None:
    """Once committed: each of `users` is a member of `room` now; their pages list it and hear its news."""
    if users:
        transaction.on_commit(lambda: _tell_of_joining(room, users))


def _tell_of_joining(room: Room, users: list[User]) -> None:
    if room.is_direct:
        prefetch_related_objects([room], "members")  # its title, for each of them
    for user in users:
        room.unread, room.notify = None, Membership.Notify.ALL  # type: ignore[attr-defined]
        html = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                context = {"other": room, "other_title": room.title_for(user)}
                html[language] = render_to_string("rooms/sidebar.html#sidebar-joined", context).strip()
        try:
            publish(RoomJoined(user_id=user.pk, room_id=room.pk, html=html))
        except Exception as error:
            # Best effort: the membership is saved, and their pages list the room on reloading.
            logger.warning("could not tell user %s's pages of room %s: %r", user.pk, room.pk, error)


def rooms_with_news_for(user: User) -> list[int] | None:
    """The rooms whose news `user` hears (those they may write in), or None for nobody signed in and active."""
    if not user.is_authenticated or not user.is_active:
        return None
    return list(access.active_memberships(user).values_list("room_id", flat=True))

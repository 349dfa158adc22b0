"""The room's WebSocket: htmx's ws extension sends the compose form here as JSON.

Thin on purpose (STYLE.md §5): a frame is parsed, handed to the same
post_message the plain POST uses, and the sender gets back their composer;
what everybody sees arrives through room_message, already rendered.
"""

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from rooms import access
from rooms.forms import MessageForm
from rooms.models import Room, User
from rooms.posting import post_message

logger = logging.getLogger(__name__)

# Closing with a 1000-range "policy" code tells htmx's ws extension not to reconnect.
CLOSE_POLICY_VIOLATION = 1008
CLOSE_UNSUPPORTED_DATA = 1003


class RoomConsumer(AsyncWebsocketConsumer):
    room: Room
    user: User

    async def connect(self) -> None:
        user = self.scope["user"]
        room = await find_member_room(user, self.scope["url_route"]["kwargs"]["slug"])
        if room is None:
            logger.info("refused socket: user %s may not join %r", user.pk, self.scope["path"])
            await self.close()  # before accept: the handshake is answered 403
            return
        self.room, self.user = room, user
        await self.channel_layer.group_add(room.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "room"):
            await self.channel_layer.group_discard(self.room.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        fields = read_compose_frame(text_data)
        try:
            html = await database_sync_to_async(post_and_render_composer)(self.room, self.user, fields)
        except PermissionDenied:
            await self.close(code=CLOSE_POLICY_VIOLATION)
            return
        await self.send(text_data=html)

    async def room_message(self, event: dict[str, Any]) -> None:
        """A message rendered once by the process that saved it: forward it untouched."""
        await self.send(text_data=event["html"])


@database_sync_to_async
def find_member_room(user: User, slug: str) -> Room | None:
    if not user.is_authenticated:
        return None
    room = Room.objects.filter(slug=slug).first()
    return room if room is not None and access.is_member(user, room) else None


def read_compose_frame(text: str) -> dict[str, str] | None:
    """The compose form's fields from an htmx ws-send frame, or None if the frame is not one.

    Only "body" is taken; everything else the frame carries (the CSRF token,
    htmx's HEADERS, fields claiming another author or room) is ignored.
    """
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(frame, dict):
        return None
    body = frame.get("body")
    if body is None:
        return {"body": ""}
    return {"body": body} if isinstance(body, str) else None


def post_and_render_composer(room: Room, author: User, fields: dict[str, str] | None) -> str:
    """Post the message and render the sender's composer: cleared after a send, with its error after a refusal."""
    if fields is None:
        form = MessageForm({"body": ""})
        form.errors.clear()
        form.add_error("body", _("The server could not read this message. Reload the page and send it again."))
    else:
        form = post_message(room=room, author=author, data=fields).form
    return render_to_string("rooms/room.html#composer-fields", {"form": form, "swap_oob": True}).strip()

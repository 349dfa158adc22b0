"""The per-process fan-out over real Redis: typed events in, typed events out, and what it cannot read."""

import asyncio
import logging
import uuid

import pytest
from channels.layers import get_channel_layer
from pytest_django.fixtures import Settings

from rooms.events import Event, MessageChanged, as_layer_message, room_group
from rooms.sockets.fanout import LayerRecovered, process_fanout
from tests.services import require_redis

pytestmark = pytest.mark.redis


class Page:
    def __init__(self) -> None:
        self.events: asyncio.Queue[Event | LayerRecovered] = asyncio.Queue()

    def deliver(self, event: Event | LayerRecovered) -> None:
        self.events.put_nowait(event)


async def test_a_message_no_event_type_fits_is_logged_and_dropped_and_the_next_still_arrives(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [require_redis()], "prefix": f"test-{uuid.uuid4().hex[:8]}"},
        }
    }
    room_id = 10**9 + 7
    page = Page()
    fanout = process_fanout()
    await fanout.subscribe(room_group(room_id), page)
    try:
        layer = get_channel_layer()
        assert layer is not None
        await layer.group_send(room_group(room_id), {"type": "message.renamed", "room_id": room_id})
        changed = MessageChanged(room_id=room_id, change=1, html={"en": "<li>hi</li>", "ko": "<li>안녕</li>"})
        await layer.group_send(room_group(room_id), as_layer_message(changed))

        assert await asyncio.wait_for(page.events.get(), timeout=5) == changed
        assert page.events.empty()
        errors = [record for record in caplog.records if record.levelno == logging.ERROR]
        assert "cannot read" in errors[0].getMessage()
        assert "message.renamed" in caplog.text
    finally:
        await fanout.unsubscribe(room_group(room_id), page)

"""Keeping a consumer's channel-layer groups through Redis outages and long lives.

channels-redis forgets group members after a day (group_expiry), and a Redis
that restarts forgets them all at once. A socket using this mixin renews its
groups periodically, stays open while the layer is down (people can still
send: their messages are saved), and once the layer answers again rejoins its
groups and calls on_layer_recovered, to fetch what it missed.
"""

import asyncio
import contextlib
import logging
import random
from typing import Any

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a channel layer raises when its Redis is gone; the in-memory layer never does.
LAYER_ERRORS = (RedisError, OSError)
LAYER_RETRY_MAX_SECONDS = 30
GROUP_RENEWAL_SECONDS = 6 * 60 * 60  # well within channels-redis's default group_expiry of a day


class LayerResilienceMixin:
    channel_layer: Any
    channel_name: str
    layer_down = False  # the layer failed and has not answered since
    renewal: asyncio.Task[None] | None = None

    def groups_to_join(self) -> list[str]:
        raise NotImplementedError

    async def on_layer_recovered(self) -> None:
        raise NotImplementedError

    async def join_groups(self) -> None:
        """Join this socket's groups; if the layer is down, note it and carry on without."""
        try:
            await self._join_groups()
        except LAYER_ERRORS as error:
            logger.warning("channel layer unavailable (%r); socket opened without it", error)
            self.layer_down = True
        self.renewal = asyncio.create_task(self._renew_groups())

    async def leave_groups(self) -> None:
        if self.renewal is not None:
            self.renewal.cancel()
        with contextlib.suppress(*LAYER_ERRORS):
            for group in self.groups_to_join():
                await self.channel_layer.group_discard(group, self.channel_name)

    # Channels reads the layer through `channel_receive`, which it sets to the
    # layer's bare receive; this property keeps that assignment from taking
    # effect and reads through receive_from_layer instead.
    @property
    def channel_receive(self) -> Any:
        return self.receive_from_layer

    @channel_receive.setter
    def channel_receive(self, _bare_receive: Any) -> None:
        pass

    async def receive_from_layer(self) -> dict[str, Any]:
        """The layer's next event; while the layer is down, wait it out with backoff."""
        failures = 0
        while True:
            try:
                if self.layer_down:
                    await self._join_groups()
                    self.layer_down = False
                    logger.info("channel layer back; socket rejoined %s", self.groups_to_join()[0])
                    return {"type": "layer.recovered"}
                return dict(await self.channel_layer.receive(self.channel_name))
            except LAYER_ERRORS as error:
                if not self.layer_down:
                    logger.warning("channel layer unavailable (%r); socket kept open", error)
                self.layer_down = True
                failures += 1
                await asyncio.sleep(min(LAYER_RETRY_MAX_SECONDS, 2**failures) * random.uniform(0.5, 1))  # noqa: S311

    async def layer_recovered(self, event: dict[str, Any]) -> None:
        await self.on_layer_recovered()

    async def _join_groups(self) -> None:
        for group in self.groups_to_join():
            await self.channel_layer.group_add(group, self.channel_name)

    async def _renew_groups(self) -> None:
        while True:
            await asyncio.sleep(GROUP_RENEWAL_SECONDS)
            with contextlib.suppress(*LAYER_ERRORS):  # receive_from_layer rejoins after an outage
                await self._join_groups()

"""A room socket for the consumer's tests: frames of who is here and who is typing set aside unless asked for.

Every socket now gets the list of who is here on opening, and hears people come
and go: tests about messages wait for what they are about, while the tests of
presence and typing (tests/sockets/test_presence.py) open theirs with `ephemeral=True`.
"""

import asyncio
import time
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from rooms.models import User
from tests.visitors import is_ephemeral


@database_sync_to_async
def signed_in_browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class RoomSocket(WebsocketCommunicator):
    def __init__(self, *args: Any, ephemeral: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ephemeral = ephemeral
        self.set_aside: list[str] = []  # the frames of who is here and who is typing, in the order they came
        self.held: deque[dict[str, Any]] = deque()  # found by receive_nothing, for the next receive

    def skipped(self, output: dict[str, Any]) -> bool:
        if self.ephemeral or output.get("type") != "websocket.send" or not is_ephemeral(output.get("text") or ""):
            return False
        self.set_aside.append(output["text"])
        return True

    async def receive_output(self, timeout: float = 1) -> Any:  # noqa: ASYNC109 (asgiref's signature)
        if self.held:
            return self.held.popleft()
        while True:
            output = await super().receive_output(timeout)
            if not self.skipped(output):
                return output

    async def receive_nothing(self, timeout: float = 0.1, interval: float = 0.01) -> bool:  # noqa: ASYNC109
        if self.future.done():
            self.future.result()
        start = time.monotonic()
        while True:
            while not self.output_queue.empty():
                output = self.output_queue.get_nowait()
                if not self.skipped(output):
                    self.held.append(output)
            if self.held:
                return False
            if time.monotonic() - start >= timeout:
                return True
            await asyncio.sleep(interval)

"""One database read for the pages of a process that need the same thing at once (DESIGN.md §3).

When a broadcast is lost, every page in the room finds the same gap and reads it back; after a restart,
every page reconnects with the same cursor and reads the same catch-up. Each of those reads is the same
query and the same render (per language): here the pages of one process that ask while it is under way
wait for the one read, and each sends its result.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable


class SharedReads[T]:
    def __init__(self) -> None:
        self.under_way: dict[Hashable, asyncio.Future[T]] = {}

    async def read(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        """`fetch()`'s result, or that of the same read (same `key`) already under way; its error alike."""
        key = (asyncio.get_running_loop(), key)  # a read belongs to its event loop (tests run one each)
        future = self.under_way.get(key)
        if future is None:
            future = asyncio.ensure_future(fetch())
            self.under_way[key] = future
            future.add_done_callback(lambda done: self._finished(key, done))
        # Shielded: a page that goes away while waiting does not cancel the read for the others.
        return await asyncio.shield(future)

    def _finished(self, key: Hashable, done: asyncio.Future[T]) -> None:
        if self.under_way.get(key) is done:
            del self.under_way[key]
        if not done.cancelled():
            done.exception()  # retrieved here, whoever awaited it: a failed read is no "never retrieved" warning

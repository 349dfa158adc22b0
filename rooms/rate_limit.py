"""How fast one person may send: one limit for the socket and the form alike.

Counted per user across all rooms and, with Redis, across all processes.
The limiter's store is Redis when REDIS_URL is set, else this process's memory.
"""

import logging
import time
from functools import cache

from django.conf import settings
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import RateLimiter, SlidingWindowCounterRateLimiter

from rooms.models import User

logger = logging.getLogger(__name__)


class InProcessStorage(MemoryStorage):
    """limits' memory storage, without a thread every 10 ms.

    MemoryStorage forgets expired counts in a threading.Timer of 10 ms, which
    each hit starts again (a new thread) once the last has run: at a hundred
    messages a second, about a thread per message, measured at half a
    millisecond of CPU (all threads) each. Expired counts are ignored
    when read anyway; this forgets them in the calling thread, once a second.
    """

    STORAGE_SCHEME = ["chat+memory"]  # noqa: RUF012 (limits' own declaration); its own name: "memory" stays limits'
    SWEEP_SECONDS = 1.0
    next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # overrides MemoryStorage.__schedule_expiry
        if (now := time.monotonic()) >= self.next_sweep:
            self.next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


@cache
def limiter(storage_url: str) -> RateLimiter:
    if storage_url.startswith("memory"):
        return SlidingWindowCounterRateLimiter(InProcessStorage())
    options = {"key_prefix": f"{settings.REDIS_KEY_PREFIX}:limits"} if storage_url.startswith("redis") else {}
    return SlidingWindowCounterRateLimiter(storage_from_string(storage_url, **options))


def may_send_message(user: User) -> bool:
    """Count one message against the user's limit; False when they are over it.

    Fails open: a rate-limit store that is down must not stop people talking.
    """
    try:
        return limiter(settings.RATE_LIMIT_STORAGE_URL).hit(
            parse(settings.MESSAGE_RATE_LIMIT), "messages", str(user.pk)
        )
    except Exception as error:
        logger.warning("rate limit store unavailable, letting a message from user %s through: %r", user.pk, error)
        return True

"""How fast one person may send: one limit for the socket and the form alike.

Counted per user across all rooms and, with Redis, across all processes.
The limiter's store is Redis when REDIS_URL is set, else this process's memory.
"""

import logging
from functools import cache

from django.conf import settings
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import RateLimiter, SlidingWindowCounterRateLimiter

from rooms.models import User

logger = logging.getLogger(__name__)


@cache
def limiter(storage_url: str) -> RateLimiter:
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

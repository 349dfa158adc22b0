"""How fast: one function per door (messages, a room's messages, new rooms, sign-ups, sign-ins).

Each door's limit is a setting in the limits library's notation. Counts are
shared by every process through Redis when REDIS_URL is set, else kept in this
process's memory. Every door fails open: a rate-limit store that is down must
not stop people talking or signing in.
"""

import hashlib
import logging
import math
import time
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import RateLimiter, SlidingWindowCounterRateLimiter

from rooms.models import Room, User

logger = logging.getLogger(__name__)

# The code of a form error that a limit caused: pages answer it with 429, not 400.
RATE_LIMITED = "rate_limited"


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
    """Count one message against the user's limit, across rooms; False when they are over it."""
    return _hit(settings.MESSAGE_RATE_LIMIT, "messages", str(user.pk), who=f"a message from user {user.pk}")


def may_post_in_room(*, room: Room) -> bool:
    """Count one message against the room's limit, whoever sends it: a flood from many accounts stops here."""
    return _hit(settings.ROOM_MESSAGE_RATE_LIMIT, "room-messages", str(room.pk), who=f"a message in room {room.pk}")


def may_create_room(*, user: User) -> bool:
    """Count one new room against the user's limit; entering a room that exists is not counted."""
    return _hit(settings.ROOM_CREATION_RATE_LIMIT, "rooms-created", str(user.pk), who=f"a room by user {user.pk}")


def may_sign_up(*, address: str) -> bool:
    """Count one new account against the client address's limit."""
    return _hit(settings.SIGN_UP_RATE_LIMIT, "sign-ups", address, who=f"a sign-up from {address}")


def sign_in_wait(*, username: str, address: str) -> float | None:
    """Seconds until a sign-in to this account from this address may be tried again; None if it may be now.

    Only failed attempts count (count_failed_sign_in), so that people who
    know their password never meet the limit. Asked before the password is
    checked, and answered the same whether or not the account exists.
    """
    try:
        waits = [
            _seconds_until_free(limit, door, key)
            for limit, door, key in _sign_in_limits(username=username, address=address)
        ]
    except Exception as error:
        logger.warning("rate limit store unavailable, letting a sign-in from %s through: %r", address, error)
        return None
    over = [wait for wait in waits if wait is not None]
    return max(over) if over else None


def count_failed_sign_in(*, username: str, address: str) -> None:
    """Count a wrong password (or an unknown account: the same) against the account's and the address's limits."""
    for limit, door, key in _sign_in_limits(username=username, address=address):
        _hit(limit, door, key, who=f"a failed sign-in from {address}")


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR as Django sees it: config/asgi.py has applied X-Forwarded-For from trusted proxies only."""
    return str(request.META.get("REMOTE_ADDR", ""))


def _sign_in_limits(*, username: str, address: str) -> list[tuple[str, str, str]]:
    # The account by a digest of the name as typed: no typed text (a password in the
    # wrong box) is stored in Redis; folded, so that "Ana" and "ana" share one count.
    account = hashlib.sha256(User.normalize_username(username).casefold().encode()).hexdigest()[:32]
    return [
        (settings.SIGN_IN_RATE_LIMIT, "sign-ins", account),
        (settings.SIGN_IN_ADDRESS_RATE_LIMIT, "sign-ins-from", address),
    ]


def _hit(limit: str, door: str, key: str, *, who: str) -> bool:
    """Count one against `limit` for `key` at `door`; False when over it, True when the store is down."""
    try:
        return limiter(settings.RATE_LIMIT_STORAGE_URL).hit(parse(limit), door, key)
    except Exception as error:
        logger.warning("rate limit store unavailable, letting %s through: %r", who, error)
        return True


def _seconds_until_free(limit: str, door: str, key: str) -> float | None:
    """None while one more hit would be allowed, else the seconds until it would; one read of the store."""
    item: RateLimitItem = parse(limit)
    stats = limiter(settings.RATE_LIMIT_STORAGE_URL).get_window_stats(item, door, key)
    return None if stats.remaining > 0 else max(0.0, stats.reset_time - time.time())


def minutes(seconds: float) -> int:
    """A wait in whole minutes, rounded up, never 0: "try again in 0 minutes" would be a lie."""
    return max(1, math.ceil(seconds / 60))

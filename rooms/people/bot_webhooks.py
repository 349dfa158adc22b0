"""A bot's webhook: each message that mentions the bot, POSTed as JSON to the address its room's admin gave.

Sent by a task on the "outbound" backend (settings.TASKS), queued once the message is committed, never in
the request or the socket's reply. The receiver may keep an attempt waiting BOT_WEBHOOK_TIMEOUT_SECONDS in
all, from looking up its name to its answer's status: one that sends its answer a byte at a time is cut off
then too, rather than holding the worker for as long as it drips. An attempt that gets no answer, or 429, or a
5xx, is tried again later (RETRY_AFTER, doubling), up to BOT_WEBHOOK_ATTEMPTS in all.
Any other answer ends it, as does a bot revoked or removed from the room, or the message deleted meanwhile.

The address must be public: one whose name resolves to a loopback, private, link-local, shared, multicast or
reserved address is refused unless BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES, when the bot is made and again before
every attempt (a name may resolve elsewhere by then). The attempt connects to the very address it checked,
so the name cannot be made to resolve elsewhere in between, and no redirect is followed (one could lead
inside). Each body is signed, for the receiver to know it came from here:
`X-Chat-Signature: sha256=<HMAC-SHA256 of the body>`, keyed with the SHA-256 (hex) of the bot's token, which
the receiver has and the chat stores; `X-Chat-Delivery` is the same for every attempt of one mention.
"""

import contextlib
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from rooms import access
from rooms.models import Bot, Message

logger = logging.getLogger(__name__)

BACKEND = "outbound"  # settings.TASKS: what waits on another server
RETRY_AFTER = timedelta(seconds=30)  # before the second attempt; each later wait is twice the one before
USER_AGENT = "chat-webhook/1"
# django-tasks-db keeps every attempt's result: those finished this long ago are deleted, by the worker
# itself, at most once every PRUNE_EVERY (so a chat needs no cron job for it), as its prune command would.
RESULTS_KEPT = timedelta(days=14)
PRUNE_EVERY = timedelta(hours=1)
_pruned_at: float | None = None  # time.monotonic() of this process's last pruning
# getaddrinfo has no timeout of its own (the system's resolver may wait on a silent server for tens of
# seconds), so it runs here and is waited on for a bounded time; a lookup that hangs holds one of these
# threads, not the settings request or the worker that asked.
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-lookup")


class RefusedAddress(Exception):
    """The address is not one the chat sends to; the text says why, for the admin who typed it."""


def addresses_of(url: str, *, within: float) -> list[tuple[str, int]]:
    """Where `url` may be sent, as (IP address, port) pairs: every address its host resolves to.

    Raises RefusedAddress for a scheme other than http or https, and for a host any of whose addresses is
    not public (unless settings allow it); OSError when the name does not resolve, TimeoutError (one) when
    it has not resolved `within` seconds.
    """
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port past 65535, or not a number
        port = 0
    if parts.scheme not in ("http", "https") or not parts.hostname or not port:
        raise RefusedAddress(_("A webhook address starts with https:// or http:// and names a host."))
    lookup = _resolver.submit(
        socket.getaddrinfo, parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    try:
        found = lookup.result(timeout=within)
    except TimeoutError:
        raise TimeoutError(f"{parts.hostname} did not resolve within {within:g} s") from None
    addresses = list(dict.fromkeys((str(info[4][0]), port) for info in found))
    if not settings.BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address, _port in addresses:
            if not is_public(address):
                raise RefusedAddress(
                    _(
                        "%(host)s is %(address)s, an address of a private, loopback or reserved network: "
                        "webhooks go only to public addresses."
                    )
                    % {"host": parts.hostname, "address": address}
                )
    return addresses


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("%eth0") is no part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


def refusal_of(url: str) -> str | None:
    """Why the chat would not send to `url` as things stand, or None. A name that does not resolve now, or
    not within BOT_WEBHOOK_TIMEOUT_SECONDS, is not refused here: it is checked again before every attempt."""
    try:
        addresses_of(url, within=settings.BOT_WEBHOOK_TIMEOUT_SECONDS)
    except RefusedAddress as refusal:
        return str(refusal)
    except (OSError, UnicodeError, ValueError):
        return None
    return None


def tell_bots(message: Message, bot_ids: list[int]) -> None:
    """Once `message` is committed, queue a webhook for each of these bots (its room's, with a webhook,
    that it newly mentions: rooms/messages/mentions.py)."""
    for bot_id in bot_ids:
        transaction.on_commit(partial(send_mention.enqueue, bot_id, message.pk))


@task(backend=BACKEND)
def send_mention(bot_id: int, message_id: int, attempt: int = 1) -> str:
    """One attempt at telling bot `bot_id` of message `message_id`; what came of it (the task's result)."""
    prune_finished_results()
    bot = Bot.objects.select_related("user", "room").filter(pk=bot_id, revoked_at=None).first()
    if bot is None or not bot.webhook_url:
        return "not sent: the bot is revoked or has no webhook"
    message = access.messages_readable_by(bot.user).select_related("author", "room").filter(pk=message_id).first()
    if message is None:
        return "not sent: the message is deleted, or the bot may no longer read it"
    if message.room_id != bot.room_id or not access.is_member(bot.user, bot.room):
        return "not sent: the bot is no longer a member of the room"
    body = json.dumps(payload(bot, message), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Chat-Event": "mention",
        "X-Chat-Delivery": f"mention-{message.pk}-{bot.pk}",
        "X-Chat-Signature": "sha256=" + hmac.new(bot.token_digest.encode(), body, hashlib.sha256).hexdigest(),
    }
    try:
        status = post(bot.webhook_url, body, headers)
    except RefusedAddress as refusal:
        logger.warning("did not send bot %s its webhook for message %s: %s", bot.pk, message.pk, refusal)
        return f"not sent: {refusal}"
    except (OSError, HTTPException, UnicodeError, ValueError) as error:
        return try_again(bot, message, attempt, f"no answer ({error!r})")
    if 200 <= status < 300:
        logger.info("sent bot %s its webhook for message %s: %s", bot.pk, message.pk, status)
        return f"sent: {status}"
    if status == 429 or status >= 500:
        return try_again(bot, message, attempt, f"answered {status}")
    logger.warning("bot %s's webhook answered %s for message %s; not tried again", bot.pk, status, message.pk)
    return f"refused: {status}"


def prune_finished_results() -> None:
    """Delete the outbound tasks' results that finished over RESULTS_KEPT ago, unless done within PRUNE_EVERY."""
    global _pruned_at
    now = time.monotonic()
    if _pruned_at is not None and now - _pruned_at < PRUNE_EVERY.total_seconds():
        return
    _pruned_at = now
    finished = DBTaskResult.objects.finished().filter(
        backend_name=BACKEND, finished_at__lte=timezone.now() - RESULTS_KEPT
    )
    deleted, _kinds = finished.delete()
    if deleted:
        logger.info("deleted %s results of webhook attempts finished over %s days ago", deleted, RESULTS_KEPT.days)


def try_again(bot: Bot, message: Message, attempt: int, what: str) -> str:
    if attempt >= settings.BOT_WEBHOOK_ATTEMPTS or not send_mention.get_backend().supports_defer:
        logger.warning(
            "bot %s's webhook for message %s: %s; gave up after %s attempts", bot.pk, message.pk, what, attempt
        )
        return f"gave up: {what}"
    wait = RETRY_AFTER * 2 ** (attempt - 1)
    logger.warning("bot %s's webhook for message %s: %s; trying again in %s", bot.pk, message.pk, what, wait)
    send_mention.using(run_after=timezone.now() + wait).enqueue(bot.pk, message.pk, attempt + 1)
    return f"to try again: {what}"


def payload(bot: Bot, message: Message) -> dict[str, Any]:
    permalink = reverse("rooms:message", kwargs={"slug": message.room.slug, "pk": message.pk})
    return {
        "event": "mention",
        "bot": {"id": bot.pk, "name": bot.name, "username": bot.user.username},
        "room": {"slug": message.room.slug, "name": message.room.name},
        "message": {
            "id": message.pk,
            "author": {"username": message.author.username, "name": message.author.display_name},
            "text": message.body,
            "html": message.body_html,
            "permalink": urljoin(settings.SITE_URL, permalink) if settings.SITE_URL else permalink,
            "created_at": message.created_at.isoformat(),
            "edited": message.edited_at is not None,
        },
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url` at the first of its checked addresses that takes the connection; its status,
    within BOT_WEBHOOK_TIMEOUT_SECONDS of starting (the name's lookup included), or TimeoutError."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = settings.BOT_WEBHOOK_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    last_error: OSError | None = None
    for address, port in addresses_of(url, within=timeout):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no answer within {timeout:g} s") from last_error
        connection: HTTPConnection = (
            PinnedHTTPSConnection(parts.hostname or "", address, port, timeout=remaining)
            if parts.scheme == "https"
            else PinnedHTTPConnection(parts.hostname or "", address, port, timeout=remaining)
        )
        # Each read waits at most `remaining`, but a receiver could answer a byte a read: at the deadline
        # the connection is shut from here, and the read waiting on it ends.
        cut_off = CutOff(connection, remaining)
        try:
            connection.request("POST", path, body=body, headers=headers)
            return connection.getresponse().status
        except ConnectionRefusedError as error:
            last_error = error  # the next address may take it
        except (OSError, HTTPException, ValueError) as error:
            if cut_off.fired:
                raise TimeoutError(f"no answer within {timeout:g} s") from error
            raise
        finally:
            cut_off.cancel()
            connection.close()
    raise last_error or OSError("no address to connect to")


class CutOff:
    """Shuts `connection`'s socket `after` seconds from now, unless cancelled first."""

    def __init__(self, connection: HTTPConnection, after: float) -> None:
        self.connection = connection
        self.fired = False
        self.timer = threading.Timer(after, self.fire)
        self.timer.daemon = True
        self.timer.start()

    def fire(self) -> None:
        self.fired = True
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # closed meanwhile
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self.timer.cancel()


class PinnedHTTPConnection(HTTPConnection):
    """HTTP to `address`, the one checked, with the URL's host in the Host header."""

    def __init__(self, host: str, address: str, port: int, *, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(HTTPSConnection):
    """HTTPS to `address`, the one checked, its certificate verified for the URL's host."""

    def __init__(self, host: str, address: str, port: int, *, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)

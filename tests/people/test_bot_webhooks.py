"""A bot's webhook: the messages that mention it, POSTed to its address by a task, signed, retried, and never
sent to the server's own network unless a setting allows it."""

import hashlib
import hmac
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from django.tasks import TaskResult, TaskResultStatus, task_backends
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks

from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.posting import post_message
from rooms.models import Bot, Message, Room, User
from rooms.people import bot_webhooks, bots
from rooms.people.membership import enter_room, remove_member
from tests.conftest import signed_in
from tests.webhook_receiver import Receiver, receiving

QUEUED = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
QUEUED_HERE = QUEUED | {"outbound": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as far_end:
        yield far_end


@dataclass
class Queue:
    """What is enqueued on "outbound", kept here (Django's DummyBackend) rather than sent, to run by hand."""

    results: list[TaskResult[Any, Any]]
    ran: int = 0

    def run(self) -> list[Any]:
        """Run what is queued and not yet run, in order, as the worker would (what a run queues is run
        too); what each returned."""
        done = []
        while self.ran < len(self.results):
            result = self.results[self.ran]
            self.ran += 1
            done.append(result.task.call(*result.args, **result.kwargs))
        return done


@pytest.fixture
def queued() -> Iterator[Queue]:
    with override_settings(
        TASKS=QUEUED_HERE, BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True, SITE_URL="https://chat.example.org"
    ):
        yield Queue(task_backends["outbound"].results)  # type: ignore[attr-defined]


@dataclass
class Scene:
    """Ana's room Design, where Ben writes, and its Deploy bot, whose webhook is the receiver's."""

    design: Room
    ana: User
    ben: User
    bot: Bot
    token: str
    receiver: Receiver
    queued: Queue
    capture: DjangoCaptureOnCommitCallbacks

    @property
    def handle(self) -> str:
        return f"@{self.bot.user.username}"

    def say(self, body: str, *, author: User | None = None, room: Room | None = None) -> Message:
        """Post as Ben (or `author`) in Design (or `room`), with what is to happen on commit happening."""
        with self.capture(execute=True):
            result = post_message(room=room or self.design, author=author or self.ben, data={"body": body})
        assert result.message is not None, result.form.errors
        return result.message

    def edit(self, message: Message, body: str) -> None:
        with self.capture(execute=True):
            edit_message(room=self.design, editor=self.ben, message_id=message.pk, data={"body": body})

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.receiver.received]


@pytest.fixture
def scene(
    design: Room,
    ana: User,
    ben: User,
    receiver: Receiver,
    queued: Queue,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Scene:
    bot, token = bots.create_bot(room=design, name="Deploy bot", created_by=ana, webhook_url=receiver.url)
    return Scene(design, ana, ben, bot, token, receiver, queued, django_capture_on_commit_callbacks)


def test_a_message_that_mentions_a_bot_is_posted_to_its_webhook_signed_and_with_its_permalink(scene: Scene) -> None:
    message = scene.say(f"{scene.handle} deploy **now**, please")

    assert scene.queued.run() == ["sent: 204"]
    ((headers, body),) = scene.receiver.received
    key = hashlib.sha256(scene.token.encode()).hexdigest().encode()  # what the bot's owner can work out
    assert headers["x-chat-signature"] == "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    assert headers["content-type"] == "application/json"
    assert headers["x-chat-event"] == "mention"
    (sent,) = scene.sent()
    assert sent["bot"]["username"] == scene.bot.user.username
    assert sent["room"] == {"slug": "design", "name": "Design"}
    assert sent["message"]["text"] == f"{scene.handle} deploy **now**, please"
    assert "<strong>now</strong>" in sent["message"]["html"]
    assert sent["message"]["author"] == {"username": "ben", "name": "Ben"}
    assert sent["message"]["permalink"] == f"https://chat.example.org/rooms/design/messages/{message.pk}/"


def test_only_mentions_of_a_bot_in_its_own_room_reach_it_and_never_its_own_messages(scene: Scene) -> None:
    elsewhere = enter_room(user=scene.ana, name="Elsewhere", slug="elsewhere")
    scene.say(f"{scene.handle} this room is not yours", author=scene.ana, room=elsewhere)
    scene.say("no mention here")
    scene.say(f"{scene.handle} talking to myself", author=scene.bot.user)

    assert scene.queued.results == []


def test_an_edit_that_first_names_the_bot_tells_it_and_one_that_names_it_again_does_not(scene: Scene) -> None:
    message = scene.say("deploy please")
    scene.edit(message, f"{scene.handle} deploy please")
    scene.edit(message, f"{scene.handle} deploy please, now")

    assert scene.queued.run() == ["sent: 204"]
    (sent,) = scene.sent()
    assert sent["message"]["text"] == f"{scene.handle} deploy please, now", "what it says when sent"
    assert sent["message"]["edited"] is True


def test_an_attempt_that_fails_is_tried_again_later_each_wait_longer_until_the_last(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    scene.receiver.statuses = [503, 429, 500, 500]
    before = timezone.now()
    with override_settings(BOT_WEBHOOK_ATTEMPTS=4):
        scene.say(f"{scene.handle} status?")
        outcomes = scene.queued.run()

    assert outcomes == [
        "to try again: answered 503",
        "to try again: answered 429",
        "to try again: answered 500",
        "gave up: answered 500",
    ]
    deliveries = {headers["x-chat-delivery"] for headers, _body in scene.receiver.received}
    assert len(scene.receiver.received) == 4
    assert len(deliveries) == 1, "one delivery, tried four times: the receiver can tell a repeat"
    queued = scene.queued.results
    waits = [result.task.run_after - before for result in queued[1:] if result.task.run_after is not None]
    assert [round(wait.total_seconds() / 30) for wait in waits] == [1, 2, 4]
    assert queued[0].task.run_after is None, "the first attempt goes at once"
    assert "gave up after 4 attempts" in caplog.text


@pytest.mark.parametrize("status", [302, 400, 404, 410])
def test_an_answer_that_retrying_would_not_change_ends_it_and_a_redirect_is_not_followed(
    status: int, scene: Scene
) -> None:
    scene.receiver.statuses = [status]
    scene.say(f"{scene.handle} hello")

    assert scene.queued.run() == [f"refused: {status}"]
    assert len(scene.receiver.received) == 1


def listener() -> socket.socket:
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    return listening


def one_attempt_within(seconds: float, scene: Scene, listening: socket.socket) -> str:
    """What one attempt of a bot whose webhook is `listening` came to, with `seconds` to take."""
    url = f"http://127.0.0.1:{listening.getsockname()[1]}/"
    slow, _token = bots.create_bot(room=scene.design, name="Slow bot", created_by=scene.ana, webhook_url=url)
    with override_settings(BOT_WEBHOOK_TIMEOUT_SECONDS=seconds, BOT_WEBHOOK_ATTEMPTS=1):
        scene.say(f"@{slow.user.username} hello?")
        (outcome,) = scene.queued.run()
    return str(outcome)


def test_no_answer_within_the_timeout_is_a_failed_attempt_not_a_stuck_worker(scene: Scene) -> None:
    with listener() as silent:  # takes the connection, never answers
        outcome = one_attempt_within(0.3, scene, silent)
    assert outcome.startswith("gave up: no answer (TimeoutError(")


def test_an_answer_dripped_a_byte_at_a_time_is_cut_off_at_the_timeout_in_all(scene: Scene) -> None:
    dripper = listener()
    hung_up_early = threading.Event()

    def drip() -> None:
        connection, _address = dripper.accept()
        with connection:
            connection.recv(65536)  # the request
            # Each byte well within the timeout of one read; all of them, 20 times the timeout.
            for byte in b"HTTP/1.1 204 No Content\r\nX-Slow: " + b"x" * 60:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    hung_up_early.set()
                    return
                time.sleep(0.1)

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    with dripper:
        outcome = one_attempt_within(0.3, scene, dripper)
        dripping.join(timeout=10)
    assert outcome == "gave up: no answer (TimeoutError('no answer within 0.3 s'))"
    assert hung_up_early.is_set(), "the worker hung up, rather than wait for the last byte"


@pytest.fixture
def hanging_lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every name lookup hangs, as on a resolver whose server never answers, until the event is set."""
    released = threading.Event()

    def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        released.wait(timeout=30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield released
    released.set()


@override_settings(BOT_WEBHOOK_TIMEOUT_SECONDS=0.2)
def test_a_name_that_does_not_resolve_in_time_keeps_neither_the_settings_page_nor_an_attempt_waiting(
    scene: Scene, hanging_lookup: threading.Event
) -> None:
    client = signed_in(scene.ana)

    made = client.post("/rooms/design/bots/", {"name": "Slow resolver", "webhook_url": "https://hangs.example/hook"})

    # Accepted while the lookup still hangs (it is checked again before every attempt), the page answered.
    assert made.status_code == 200
    assert not hanging_lookup.is_set()
    bot = Bot.objects.get(user__display_name="Slow resolver")
    assert bot.webhook_url == "https://hangs.example/hook"
    with override_settings(BOT_WEBHOOK_ATTEMPTS=1):
        scene.say(f"@{bot.user.username} hello?")
        (outcome,) = scene.queued.run()
    assert str(outcome) == "gave up: no answer (TimeoutError('hangs.example did not resolve within 0.2 s'))"
    assert not hanging_lookup.is_set(), "the attempt gave up while the lookup still hung"


def test_an_https_webhook_is_sent_to_the_address_checked_with_its_certificate_verified_for_its_host(
    scene: Scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the only authority the worker trusts
    outcomes = {}
    for name in ("localhost", "elsewhere.example"):  # the host in the address, and another
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(name).configure_cert(tls)
        with receiving(tls) as far_end, override_settings(BOT_WEBHOOK_ATTEMPTS=1):
            bot, _token = bots.create_bot(room=scene.design, name=name, created_by=scene.ana, webhook_url=far_end.url)
            scene.say(f"@{bot.user.username} over TLS?")
            (outcomes[name],) = scene.queued.run()
            outcomes[name + " received"] = len(far_end.received)

    assert outcomes["localhost"] == "sent: 204"
    assert outcomes["localhost received"] == 1
    assert outcomes["elsewhere.example"].startswith("gave up: no answer (SSLCertVerificationError(")
    assert outcomes["elsewhere.example received"] == 0, "a certificate for another host is not trusted"


def test_a_revoked_bot_a_removed_one_and_a_deleted_message_are_not_sent(scene: Scene) -> None:
    deleted = scene.say(f"{scene.handle} oops")
    with scene.capture(execute=True):
        delete_message(room=scene.design, deleter=scene.ben, message_id=deleted.pk)
    assert scene.queued.run() == ["not sent: the message is deleted, or the bot may no longer read it"]

    scene.say(f"{scene.handle} are you there?")
    remove_member(room=scene.design, user=scene.bot.user)
    assert scene.queued.run() == ["not sent: the bot is no longer a member of the room"]

    other, _token = bots.create_bot(
        room=scene.design, name="Other", created_by=scene.ana, webhook_url=scene.receiver.url
    )
    scene.say(f"@{other.user.username} hi")
    bots.revoke_bot(other)
    assert scene.queued.run() == ["not sent: the bot is revoked or has no webhook"]
    assert scene.receiver.received == []


def test_a_private_or_loopback_address_is_refused_before_sending_unless_a_setting_allows_it(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    scene.say(f"{scene.handle} hello")
    with override_settings(BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False), caplog.at_level(logging.WARNING):
        (outcome,) = scene.queued.run()

    assert outcome.startswith("not sent: 127.0.0.1 is 127.0.0.1, an address of a private, loopback or reserved network")
    assert scene.receiver.received == [], "refused before connecting: a bot's maker cannot probe the server's network"
    assert "did not send bot" in caplog.text


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # a cloud's metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104  # not bound: the address a webhook must not be sent to
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_addresses_of_the_server_s_own_networks_are_not_public(address: str) -> None:
    assert not bot_webhooks.is_public(address)


def test_a_public_address_is_public() -> None:
    assert bot_webhooks.is_public("93.184.215.14")
    assert bot_webhooks.is_public("2606:4700:4700::1111")


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is 127.0.0.1, an address of a private, loopback or reserved network"),
        ("https://localhost/hook", "localhost is "),
        ("https://[::1]/hook", "::1 is ::1, an address of a private"),
        ("https://10.0.0.5/hook", "10.0.0.5 is 10.0.0.5"),
        ("ftp://93.184.215.14/hook", "A webhook address starts with https:// or http:// and names a host."),
        ("https://93.184.215.14:99999/hook", "A webhook address starts with https:// or http:// and names a host."),
        ("not an address", "Type a web address, such as https://bots.example.com/hook."),
    ],
)
def test_making_a_bot_with_an_address_it_would_not_send_to_says_why_next_to_the_field(
    design: Room, ana: User, address: str, error: str
) -> None:
    response = signed_in(ana).post("/rooms/design/bots/", {"name": "Deploy bot", "webhook_url": address})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="bot-webhook_url_helptext bot-webhook_url_error"' in page
    shown = re.search(r'<ul class="errorlist" id="bot-webhook_url_error"><li>(.*?)</li>', page)
    assert shown is not None
    assert error in shown[1].replace("&#x27;", "'")
    assert not Bot.objects.exists(), "nothing made"


def test_making_a_bot_with_a_webhook_shows_where_its_mentions_go_and_how_to_mention_it(design: Room, ana: User) -> None:
    with override_settings(BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True):
        response = signed_in(ana).post(
            "/rooms/design/bots/", {"name": "Deploy bot", "webhook_url": "http://127.0.0.1:9/hook"}
        )

    bot = Bot.objects.get()
    assert bot.webhook_url == "http://127.0.0.1:9/hook"
    page = response.content.decode()
    assert f"Mention it as @{bot.user.username}." in page
    assert "Mentions go to <bdi>http://127.0.0.1:9/hook</bdi>" in page


def test_an_admin_empties_a_bot_s_webhook_and_its_mentions_go_nowhere_then_sets_it_and_they_go_there(
    scene: Scene,
) -> None:
    address = f"/rooms/design/bots/{scene.bot.pk}/webhook/"
    page = signed_in(scene.ana).get("/rooms/design/settings/").content.decode()
    assert f'<input type="url" name="webhook_url" value="{scene.receiver.url}"' in page, "the address, to change"

    emptied = signed_in(scene.ana).post(address, {"webhook_url": ""}, follow=True)

    assert "Mentions of Deploy bot are no longer sent anywhere." in emptied.content.decode()
    assert "Mentions go to" not in emptied.content.decode()
    scene.say(f"{scene.handle} are you there?")
    assert scene.queued.run() == []
    assert scene.sent() == []

    set_again = signed_in(scene.ana).post(address, {"webhook_url": scene.receiver.url}, follow=True)

    assert f"Mentions of Deploy bot now go to {scene.receiver.url}." in set_again.content.decode()
    scene.say(f"{scene.handle} and now?")
    assert scene.queued.run() == ["sent: 204"]
    assert [sent["message"]["text"] for sent in scene.sent()] == [f"{scene.handle} and now?"]


def test_changing_a_webhook_to_an_address_it_would_not_send_to_says_why_next_to_the_field_and_keeps_the_old(
    design: Room, ana: User
) -> None:
    bot, _token = bots.create_bot(room=design, name="Deploy bot", created_by=ana, webhook_url="https://93.184.215.14/")

    response = signed_in(ana).post(f"/rooms/design/bots/{bot.pk}/webhook/", {"webhook_url": "http://10.0.0.5/hook"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Room settings" in page
    field = f"bot-{bot.pk}-webhook_url"
    assert f'aria-describedby="{field}_helptext {field}_error"' in page
    shown = re.search(rf'<ul class="errorlist" id="{field}_error"><li>(.*?)</li>', page)
    assert shown is not None
    assert "10.0.0.5 is 10.0.0.5" in shown[1]
    assert '<details class="bot-webhook" open>' in page, "the refused form is open, with what was typed"
    assert 'value="http://10.0.0.5/hook"' in page
    bot.refresh_from_db()
    assert bot.webhook_url == "https://93.184.215.14/", "kept"


def test_only_an_admin_changes_a_webhook_and_only_of_a_live_bot_of_that_room(
    design: Room, ana: User, ben: User
) -> None:
    enter_room(user=ana, name="Cafe", slug="cafe")  # Ana's too, but the bot is not its
    bot, _token = bots.create_bot(room=design, name="Deploy bot", created_by=ana, webhook_url="https://93.184.215.14/")
    change = {"webhook_url": "https://93.184.215.15/"}

    assert signed_in(ben).post(f"/rooms/design/bots/{bot.pk}/webhook/", change).status_code == 403
    assert signed_in(ana).post(f"/rooms/cafe/bots/{bot.pk}/webhook/", change).status_code == 404
    bots.revoke_bot(bot)
    assert signed_in(ana).post(f"/rooms/design/bots/{bot.pk}/webhook/", change).status_code == 404
    bot.refresh_from_db()
    assert bot.webhook_url == "https://93.184.215.14/"


def test_the_worker_deletes_attempts_results_finished_over_two_weeks_ago_at_most_once_an_hour(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()

    def result(*, finished_days_ago: float | None, backend: str = "outbound") -> DBTaskResult[Any, Any]:
        return DBTaskResult.objects.create(
            status=TaskResultStatus.READY if finished_days_ago is None else TaskResultStatus.SUCCESSFUL,
            finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
            args_kwargs={"args": [], "kwargs": {}},
            task_path="rooms.people.bot_webhooks.send_mention",
            backend_name=backend,
            run_after=now,
            exception_class_path="",
            traceback="",
        )

    old, recent, waiting, other = (
        result(finished_days_ago=15),
        result(finished_days_ago=13),
        result(finished_days_ago=None),
        result(finished_days_ago=15, backend="default"),
    )
    monkeypatch.setattr(bot_webhooks, "_pruned_at", None)  # this process has not pruned yet

    scene.say(f"{scene.handle} one")
    assert scene.queued.run() == ["sent: 204"]

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert old.pk not in left
    assert left == {recent.pk, waiting.pk, other.pk}, "the old finished one is gone, and only it"
    older = result(finished_days_ago=20)
    scene.say(f"{scene.handle} two")
    assert scene.queued.run() == ["sent: 204"]
    assert DBTaskResult.objects.filter(pk=older.pk).exists(), "not again within the hour"

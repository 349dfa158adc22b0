"""The one write path: what it saves, what it refuses and says, what it broadcasts."""

import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from limits import parse
from limits.strategies import SlidingWindowCounterRateLimiter
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from rooms.messages.posting import post_message
from rooms.models import Message, Room, User
from rooms.people.membership import enter_room, join_room, leave_room
from rooms.rate_limit import InProcessStorage
from tests.conftest import MakeUser, SetLimit, say
from tests.servers import free_port


def test_a_member_s_message_is_saved_with_its_author_and_room(design: Room, ana: User) -> None:
    result = post_message(room=design, author=ana, data={"body": "  hello, design  "})

    assert result.message is not None
    saved = Message.objects.get()
    assert (saved.room, saved.author, saved.body) == (design, ana, "hello, design")
    assert not result.form.is_bound, "after a send the composer starts empty"


def test_the_room_moves_to_the_top_of_the_lobby_when_someone_writes(design: Room, ana: User) -> None:
    before = design.last_activity_at
    message = post_message(room=design, author=ana, data={"body": "hi"}).message

    design.refresh_from_db()
    assert message is not None
    assert design.last_activity_at == message.created_at > before


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "The message is empty. Type something to send."),
        (" \n\t ", "The message is empty. Type something to send."),
        (None, "The message is empty. Type something to send."),
        ("x" * 4001, "A message can be at most 4000 characters long; this one has 4001."),
        ("nul\x00here", "This text contains a NUL character, which cannot be stored. Remove it and try again."),
        ("lone \ud800 surrogate", "This text contains a broken character (an unpaired surrogate)."),
    ],
    ids=["empty", "whitespace", "missing", "too-long", "nul", "lone-surrogate"],
)
def test_bad_text_is_refused_with_a_clear_error_and_nothing_is_saved_or_sent(
    design: Room, ana: User, body: str | None, error: str
) -> None:
    with mock.patch("rooms.messages.changes.publish_change") as broadcast:
        result = post_message(room=design, author=ana, data={"body": body})

    assert result.message is None
    assert error in str(result.form.errors["body"])
    assert result.form["body"].value() == body, "the text stays in the composer to be fixed"
    assert not Message.objects.exists()
    broadcast.assert_not_called()


def test_a_message_of_exactly_the_limit_is_accepted(design: Room, ana: User) -> None:
    assert post_message(room=design, author=ana, data={"body": "x" * 4000}).message is not None


def test_someone_who_is_not_a_member_cannot_write(design: Room) -> None:
    outsider = User.objects.create_user(username="eve", password="x")

    with pytest.raises(PermissionDenied):
        post_message(room=design, author=outsider, data={"body": "let me in"})
    assert not Message.objects.exists()


def test_a_member_who_left_or_was_deactivated_cannot_write(design: Room, ana: User, ben: User) -> None:
    leave_room(user=ana, room=design)
    ben.is_active = False
    ben.save()

    for author in (ana, ben):
        with pytest.raises(PermissionDenied):
            post_message(room=design, author=author, data={"body": "still here?"})
    assert not Message.objects.exists()


def test_fields_claiming_another_author_or_room_are_ignored(design: Room, ana: User, ben: User) -> None:
    other = Room.objects.create(name="Other", slug="other")

    post_message(room=design, author=ana, data={"body": "mine", "author": ben.pk, "room": other.pk})

    saved = Message.objects.get()
    assert (saved.author, saved.room) == (ana, design)


def test_the_broadcast_happens_only_after_the_message_is_committed(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with (
        mock.patch("rooms.messages.changes.publish_change") as broadcast,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        post_message(room=design, author=ana, data={"body": "after commit"})
        broadcast.assert_not_called()

    assert len(callbacks) == 1
    callbacks[0]()
    message = Message.objects.get()
    broadcast.assert_called_once_with(message, message.seq)


def test_posting_costs_the_same_few_queries_whatever_the_room_s_size(
    design: Room, ana: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # In a transaction (a savepoint inside the test's own): number the message if the
    # author is still a member (one statement, which locks the room), and save it.
    with django_assert_num_queries(4):
        post_message(room=design, author=ana, data={"body": "one", "client_id": str(uuid.uuid4())})
    for n in range(30):
        User.objects.create_user(username=f"member{n}").rooms.add(design)
    with django_assert_num_queries(4):
        post_message(room=design, author=ana, data={"body": "two", "client_id": str(uuid.uuid4())})


def test_messages_are_numbered_one_after_another_in_each_room(design: Room, ana: User, ben: User) -> None:
    other = Room.objects.create(name="Other", slug="other")
    other.members.add(ana)
    for author, room in [(ana, design), (ben, design), (ana, other), (ana, design)]:
        post_message(room=room, author=author, data={"body": "hi"})

    assert list(design.messages.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert list(other.messages.values_list("seq", flat=True)) == [1]
    design.refresh_from_db()
    assert design.last_seq == 3


def test_the_same_message_sent_twice_is_stored_and_broadcast_once(design: Room, ana: User) -> None:
    frame = {"body": "double click", "client_id": str(uuid.uuid4())}
    with mock.patch("rooms.messages.changes.publish_change") as broadcast:
        first = post_message(room=design, author=ana, data=frame)
        again = post_message(room=design, author=ana, data=frame)

    assert first.message == again.message
    assert Message.objects.count() == 1
    assert broadcast.call_count <= 1
    assert not again.form.is_bound, "the sender's composer is cleared either way"


def test_an_unreadable_client_id_still_sends_the_message(design: Room, ana: User) -> None:
    result = post_message(room=design, author=ana, data={"body": "hi", "client_id": "not-a-uuid"})
    assert result.message is not None
    assert result.message.client_id is None


def test_each_fresh_composer_carries_a_new_client_id(design: Room, ana: User) -> None:
    first = post_message(room=design, author=ana, data={"body": "one"}).form
    second = post_message(room=design, author=ana, data={"body": "two"}).form
    assert first["client_id"].value() != second["client_id"].value()
    assert uuid.UUID(str(first["client_id"].value()))


SLOW_DOWN = "You are sending messages too fast. Wait a few seconds, then send this one again."


def test_a_flood_is_told_to_slow_down_and_others_are_unaffected(
    design: Room, ana: User, ben: User, rate_limited: None
) -> None:
    for n in range(3):
        assert post_message(room=design, author=ana, data={"body": f"{n}"}).message is not None

    refused = post_message(room=design, author=ana, data={"body": "one too many"})

    assert refused.message is None
    assert SLOW_DOWN in str(refused.form.errors["body"])
    assert refused.form["body"].value() == "one too many", "the text waits in the composer"
    assert post_message(room=design, author=ben, data={"body": "I can still talk"}).message is not None
    assert Message.objects.count() == 4


def test_a_resend_of_a_stored_message_is_acknowledged_as_sent_even_over_the_limit(
    design: Room, ana: User, rate_limited: None
) -> None:
    # The page's retry after the answer to its third message was lost, twice over.
    frames = [{"body": f"{n}", "client_id": str(uuid.uuid4())} for n in range(3)]
    sent = [post_message(room=design, author=ana, data=frame).message for frame in frames]

    for _ in range(2):
        again = post_message(room=design, author=ana, data=frames[2])
        assert again.message == sent[2], "acknowledged as the message it already is"
        assert not again.form.is_bound, "no error: the composer is cleared as after any send"

    refused = post_message(room=design, author=ana, data={"body": "new", "client_id": str(uuid.uuid4())})
    assert SLOW_DOWN in str(refused.form.errors["body"]), "a message not stored yet is still refused"
    assert Message.objects.count() == 3


def test_over_the_limit_a_send_costs_one_query_to_look_for_its_stored_copy_and_none_without_an_id(
    design: Room, ana: User, rate_limited: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(3):
        post_message(room=design, author=ana, data={"body": f"{n}"})
    with django_assert_num_queries(1):
        post_message(room=design, author=ana, data={"body": "with an id", "client_id": str(uuid.uuid4())})
    with django_assert_num_queries(0):
        post_message(room=design, author=ana, data={"body": "without"})


ROOM_BUSY = "This room is receiving too many messages right now. Wait a few seconds, then send this one again."


def test_a_flood_into_one_room_from_many_accounts_is_slowed_down_and_other_rooms_are_unaffected(
    design: Room, ana: User, ben: User, make_user: MakeUser, set_limit: SetLimit, caplog: pytest.LogCaptureFixture
) -> None:
    set_limit("ROOM_MESSAGE_RATE_LIMIT", "3 per hour")
    caplog.set_level("INFO", logger="rooms")
    carl = make_user("carl")
    join_room(user=carl, room=design)
    for author in (ana, ben, carl):
        say(design, author, "one each")

    refused = post_message(room=design, author=ana, data={"body": "a fourth, from anyone"})

    assert refused.message is None
    assert ROOM_BUSY in str(refused.form.errors["body"])
    assert refused.form["body"].value() == "a fourth, from anyone", "the text waits in the composer"
    assert f"refused message from user {ana.pk} in room {design.pk}: the room's rate limit" in caplog.text
    assert "a fourth" not in caplog.text
    elsewhere = enter_room(user=ana, name="Elsewhere", slug="elsewhere")
    assert post_message(room=elsewhere, author=ana, data={"body": "still heard here"}).message is not None
    assert design.messages.count() == 3


def test_the_limit_fails_open_when_its_store_is_down(design: Room, ana: User, settings: Settings) -> None:
    settings.MESSAGE_RATE_LIMIT = settings.ROOM_MESSAGE_RATE_LIMIT = "1 per minute"
    settings.RATE_LIMIT_STORAGE_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    for body in ("one", "two"):
        assert post_message(room=design, author=ana, data={"body": body}).message is not None


def test_when_the_database_fails_the_sender_is_told_and_nothing_is_broadcast(design: Room, ana: User) -> None:
    with (
        mock.patch.object(Message.objects, "create", side_effect=OperationalError("database is locked")),
        mock.patch("rooms.messages.changes.publish_change") as broadcast,
    ):
        result = post_message(room=design, author=ana, data={"body": "important"})

    assert result.message is None
    assert "The server could not save this message, so it was not sent." in str(result.form.errors["body"])
    assert result.form["body"].value() == "important"
    broadcast.assert_not_called()
    design.refresh_from_db()
    assert design.last_seq == 0, "the numbering was rolled back with the message"


def test_the_in_process_rate_limit_counts_without_starting_a_thread_per_message() -> None:
    storage = InProcessStorage()  # limits' MemoryStorage starts one timer on creation; not per message after
    limit = SlidingWindowCounterRateLimiter(storage)
    with mock.patch("threading.Timer") as timer:
        allowed = [limit.hit(parse("3 per minute"), "messages", "someone") for _ in range(5)]
        storage.next_sweep = 0.0  # the once-a-second sweep of expired counts runs here, in this thread
        limit.hit(parse("3 per minute"), "messages", "someone else")

    assert allowed == [True, True, True, False, False]
    timer.assert_not_called()

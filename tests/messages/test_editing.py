"""Editing and deleting: who may, what is kept and what is gone, what is numbered and published."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from rooms.events import MessageChanged
from rooms.messages.changes import NoSuchMessage
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.models import Message, MessageVersion, Room, User
from rooms.people.membership import enter_room, leave_room
from tests.conftest import MakeUser, SetLimit, say


def edit(room: Room, editor: User, message: Message, body: str | None) -> Message | None:
    return edit_message(room=room, editor=editor, message_id=message.pk, data={"body": body}).message


def test_the_author_edits_a_message_in_place_and_its_earlier_text_is_kept(design: Room, ana: User) -> None:
    message = say(design, ana, "helo")
    edit(design, ana, message, "hello")
    edit(design, ana, message, "  hello, all  ")

    message.refresh_from_db()
    assert message.body == "hello, all"
    assert message.seq == 1, "it keeps its place in the log"
    assert message.last_change == 3, "each edit is a change of the room, numbered"
    assert message.edited_at is not None
    assert message.edited_at > message.created_at
    versions = list(message.earlier_versions.values_list("body", flat=True))
    assert versions == ["hello", "helo"], "newest first"
    design.refresh_from_db()
    assert design.last_seq == 3


def test_an_edit_is_published_once_after_commit_to_replace_the_message_on_every_page(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    message = say(design, ana, "first words")
    with mock.patch("rooms.messages.broadcast.publish") as publish, django_capture_on_commit_callbacks(execute=True):
        edit(design, ana, message, "second words")
        publish.assert_not_called()  # nothing goes out before the commit

    (event,) = [call.args[0] for call in publish.call_args_list]
    assert isinstance(event, MessageChanged)
    assert (event.room_id, event.change) == (design.pk, 2)
    frame = event.html["en"]
    assert frame.startswith(f'<li id="message-{message.pk}"')
    assert 'hx-swap-oob="outerMorph"' in frame
    assert "second words" in frame
    assert "(edited)" in frame
    assert 'id="message-list"' not in frame, "an edit is never appended as a new message"
    assert frame.endswith('<data id="room-cursor" value="2" hx-swap-oob="true"></data>')
    assert "수정됨" in event.html["ko"], "each language gets its own words"


def test_saving_the_same_text_changes_nothing(design: Room, ana: User) -> None:
    message = say(design, ana, "as it was")
    with mock.patch("rooms.messages.changes.publish_change") as publish:
        result = edit_message(room=design, editor=ana, message_id=message.pk, data={"body": " as it was "})

    assert result.message == message
    assert not result.form.errors
    publish.assert_not_called()
    message.refresh_from_db()
    design.refresh_from_db()
    assert (message.edited_at, design.last_seq, MessageVersion.objects.count()) == (None, 1, 0)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "The message is empty. Type something to send."),
        (None, "The message is empty. Type something to send."),
        ("x" * 4001, "A message can be at most 4000 characters long; this one has 4001."),
        ("nul\x00here", "This text contains a NUL character, which cannot be stored. Remove it and try again."),
    ],
    ids=["empty", "missing", "too-long", "nul"],
)
def test_bad_text_is_refused_with_the_errors_posting_gives_and_nothing_changes(
    design: Room, ana: User, body: str | None, error: str
) -> None:
    message = say(design, ana, "keep me")
    with mock.patch("rooms.messages.changes.publish_change") as publish:
        result = edit_message(room=design, editor=ana, message_id=message.pk, data={"body": body})

    assert result.message is None
    assert error in str(result.form.errors["body"])
    publish.assert_not_called()
    message.refresh_from_db()
    assert message.body == "keep me"
    assert message.last_change == 1


@pytest.fixture
def elsewhere(ana: User, ben: User) -> Message:
    """A message of Ben's in another room, which Ana has also entered."""
    other = enter_room(user=ben, name="Elsewhere", slug="elsewhere")
    enter_room(user=ana, name="Elsewhere", slug="elsewhere")
    return say(other, ben, "over there")


def refusals(design: Room, ana: User, ben: User, elsewhere: Message) -> dict[str, int]:
    """Message ids Ana may neither edit nor delete in Design, each for another reason."""
    bens = say(design, ben, "ben's words")
    deleted = say(design, ana, "soon gone")
    delete_message(room=design, deleter=ana, message_id=deleted.pk)
    of_her_own_elsewhere = say(Room.objects.get(slug="elsewhere"), ana, "mine, but not here")
    return {
        "someone else's": bens.pk,
        "another room's": elsewhere.pk,
        "her own, of another room": of_her_own_elsewhere.pk,
        "deleted": deleted.pk,
        "unknown": 10**12,
    }


def test_what_one_may_not_touch_is_refused_alike_logged_without_its_text_and_nothing_changes(
    design: Room, ana: User, ben: User, elsewhere: Message, caplog: pytest.LogCaptureFixture
) -> None:
    ids = refusals(design, ana, ben, elsewhere)
    before = list(Message.objects.order_by("pk").values_list("body", "last_change", "deleted_at"))
    design.refresh_from_db()
    numbered = design.last_seq

    caplog.set_level(logging.INFO, logger="rooms.messages")
    for reason, pk in ids.items():
        with pytest.raises(NoSuchMessage):
            edit_message(room=design, editor=ana, message_id=pk, data={"body": "secret new words"})
        with pytest.raises(NoSuchMessage):
            delete_message(room=design, deleter=ana, message_id=pk)
        assert f"of message {pk} in room {design.pk}" in caplog.text, reason

    assert list(Message.objects.order_by("pk").values_list("body", "last_change", "deleted_at")) == before
    design.refresh_from_db()
    assert design.last_seq == numbered, "a refused change takes no number"
    assert "secret new words" not in caplog.text


def test_a_member_who_left_can_no_longer_edit_or_delete_their_messages_there(design: Room, ana: User) -> None:
    message = say(design, ana, "said while a member")
    leave_room(user=ana, room=design)

    with pytest.raises(NoSuchMessage):
        edit(design, ana, message, "changed after leaving")
    with pytest.raises(NoSuchMessage):
        delete_message(room=design, deleter=ana, message_id=message.pk)


def test_deleting_leaves_a_marker_in_place_and_takes_the_text_its_versions_and_mentions(
    design: Room, ana: User, ben: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    message = say(design, ana, "first draft, @ben")
    edit(design, ana, message, "second draft, @ben")

    with mock.patch("rooms.messages.broadcast.publish") as publish, django_capture_on_commit_callbacks(execute=True):
        result = delete_message(room=design, deleter=ana, message_id=message.pk)

    assert result.message is not None
    assert result.message.is_deleted
    message.refresh_from_db()
    assert (message.body, message.seq, message.last_change) == ("", 1, 3)
    assert not MessageVersion.objects.exists(), "earlier versions go with the text"
    assert not message.mentions.exists()
    (event,) = [call.args[0] for call in publish.call_args_list]
    frame = event.html["en"]
    assert f'<li id="message-{message.pk}" class="message deleted"' in frame
    assert "This message was deleted." in frame
    assert "draft" not in frame
    assert 'href="/rooms/design/messages/' not in frame, "nothing left to edit, delete or look back on"


def test_staff_may_delete_anyone_s_message_in_any_room_but_not_edit_it(
    design: Room, ben: User, make_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    moderator = make_user("mod")
    moderator.is_staff = True
    moderator.save()
    message = say(design, ben, "breaks the rules")

    with pytest.raises(NoSuchMessage):
        edit(design, moderator, message, "put words in his mouth")
    caplog.set_level(logging.INFO, logger="rooms.messages")
    result = delete_message(room=design, deleter=moderator, message_id=message.pk)

    assert result.message is not None
    assert result.message.is_deleted
    assert f"staff user {moderator.pk} deleted message {message.pk} of user {ben.pk}" in caplog.text


def test_editing_and_deleting_count_against_the_author_s_rate_limit(
    design: Room, ana: User, set_limit: SetLimit
) -> None:
    message = say(design, ana, "one")
    set_limit("MESSAGE_RATE_LIMIT", "2 per hour")
    assert edit(design, ana, message, "two") is not None
    assert edit(design, ana, message, "three") is not None

    result = edit_message(room=design, editor=ana, message_id=message.pk, data={"body": "four"})
    assert "You are sending messages too fast." in str(result.form.errors["body"])
    deletion = delete_message(room=design, deleter=ana, message_id=message.pk)
    assert deletion.message is None
    assert "You are sending messages too fast." in str(deletion.form.non_field_errors())
    message.refresh_from_db()
    assert (message.body, message.deleted_at) == ("three", None)


def test_an_edit_recomputes_who_the_message_mentions(design: Room, ana: User, ben: User) -> None:
    message = say(design, ana, "hi @ben")
    assert list(message.mentions.all()) == [ben]

    edited = edit(design, ana, message, "hi @ana, not @nobody")
    assert edited is not None
    assert edited.mentioned_ids == [ana.pk]
    assert list(Message.objects.get().mentions.all()) == [ana]


def test_a_database_failure_while_editing_is_told_and_changes_nothing(design: Room, ana: User) -> None:
    message = say(design, ana, "stays")
    with mock.patch("rooms.messages.editing.MessageVersion.objects.create", side_effect=OperationalError("gone")):
        result = edit_message(room=design, editor=ana, message_id=message.pk, data={"body": "never saved"})

    assert "The server could not save this change." in str(result.form.errors["body"])
    message.refresh_from_db()
    design.refresh_from_db()
    assert (message.body, design.last_seq) == ("stays", 1), "the number was rolled back with the change"


@pytest.mark.parametrize("older_messages", [0, 200])
def test_editing_and_deleting_cost_the_same_queries_however_big_the_room(
    design: Room, ana: User, older_messages: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    Message.objects.bulk_create(
        Message(room=design, author=ana, body=f"old {n}", seq=n + 1, last_change=n + 1, created_at=design.created_at)
        for n in range(older_messages)
    )
    Room.objects.filter(pk=design.pk).update(last_seq=older_messages)
    design.refresh_from_db()
    message = say(design, ana, "to change")

    # savepoint, number (with the rule), read the message, its reactions, keep the version, save, forget
    # mentions, find the new ones, store them, release
    with django_assert_num_queries(10):
        edit(design, ana, message, "changed, @ana")
    # savepoint, number, read, forget versions, forget mentions, forget reactions, save, release
    with django_assert_num_queries(8):
        delete_message(room=design, deleter=ana, message_id=message.pk)

"""Unread counts: per member and room, from the last message read; mentions counted apart."""

from pytest_django import DjangoAssertNumQueries

from rooms.messages.deleting import delete_message
from rooms.models import Room, User
from rooms.people import membership
from rooms.people.unread import Unread, mark_read, unread_by_room
from tests.conftest import MakeUser, say


def test_what_others_said_after_the_mark_is_unread_and_mentions_are_counted_apart(
    design: Room, ana: User, ben: User
) -> None:
    say(design, ana, "before")
    mark_read(ben, design, 1)
    say(design, ana, "one")
    say(design, ana, "two, @ben")
    say(design, ben, "ben's own words")
    gone = say(design, ana, "deleted")
    delete_message(room=design, deleter=ana, message_id=gone.pk)

    assert unread_by_room(ben) == {design.pk: Unread(messages=2, mentions=1)}
    assert unread_by_room(ana) == {design.pk: Unread(messages=1, mentions=0)}


def test_marking_read_never_goes_back(design: Room, ana: User, ben: User) -> None:
    for n in range(3):
        say(design, ana, f"message {n}")
    assert mark_read(ben, design, 3)
    assert not mark_read(ben, design, 1)
    assert unread_by_room(ben) == {}


def test_the_counts_of_every_room_cost_one_query(
    ana: User, ben: User, make_user: MakeUser, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(5):
        room = membership.enter_room(user=ana, name=f"Room {n}", slug=f"room-{n}")
        membership.join_room(user=ben, room=room)
        say(room, ana, f"hello @ben in {n}")
    with django_assert_num_queries(1):
        counts = unread_by_room(ben)
    assert len(counts) == 5
    assert all(count == Unread(messages=1, mentions=1) for count in counts.values())


def test_a_mark_past_the_room_s_newest_change_stops_at_it(design: Room, ana: User, ben: User) -> None:
    say(design, ana, "the only one")
    mark_read(ben, design, 10**15)
    say(design, ana, "the next one")
    assert unread_by_room(ben) == {design.pk: Unread(messages=1, mentions=0)}

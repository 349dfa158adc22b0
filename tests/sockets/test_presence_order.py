"""Presence changes are handed out once each, and never after a newer one (rooms/sockets/presence_order.py)."""

from rooms.events import PersonCameOrWent, PresenceChanged, room_group
from rooms.sockets.presence_order import PresenceOrder


def person(user_id: int, stamp: int, *, here: bool = True) -> PersonCameOrWent:
    return PersonCameOrWent(user_id, here, stamp, html=f'<li id="person-{user_id}"></li>')


def change(user_id: int, stamp: int, *, here: bool = True, room_id: int = 7) -> PresenceChanged:
    return changes(person(user_id, stamp, here=here), room_id=room_id)


def changes(*people: PersonCameOrWent, room_id: int = 7) -> PresenceChanged:
    return PresenceChanged(room_id, people, count={"en": f"<h2>{people[-1].stamp}</h2>"})


def test_each_change_is_handed_out_once() -> None:
    order = PresenceOrder()
    came = change(1, 10)
    assert order.admit(came) is came
    assert order.admit(change(1, 10)) is None, "its copy from the channel layer"


def test_a_person_s_change_older_than_one_handed_out_is_dropped() -> None:
    # A reload behind a load balancer: the old tab's "went" (10) reaches this process after the new tab's "came" (11).
    order = PresenceOrder()
    assert order.admit(change(1, 11, here=True)) is not None
    assert order.admit(change(1, 10, here=False)) is None, "they are still here"


def test_a_late_change_of_another_person_still_counts_for_them_without_its_out_of_date_count() -> None:
    order = PresenceOrder()
    order.admit(change(1, 11))
    late = order.admit(change(2, 10))
    assert late is not None
    assert (late.people, late.frame("en")) == ((person(2, 10),), '<li id="person-2"></li>')
    assert order.admit(change(2, 12)) == change(2, 12), "what follows has its count again"


def test_of_several_people_in_one_event_those_already_told_newer_are_left_out_and_the_rest_handed_out() -> None:
    order = PresenceOrder()
    order.admit(change(2, 12, here=False))  # from another process, before this event's copy of 2 coming
    admitted = order.admit(changes(person(1, 10), person(2, 11), person(3, 13)))
    assert admitted is not None
    assert admitted.people == (person(1, 10), person(3, 13))
    assert admitted.frame("en") == '<li id="person-1"></li><li id="person-3"></li><h2>13</h2>', "its count is newest"


def test_rooms_are_ordered_apart_and_a_room_left_is_forgotten() -> None:
    order = PresenceOrder()
    order.admit(change(1, 11, room_id=7))
    assert order.admit(change(2, 10, room_id=8)) == change(2, 10, room_id=8)
    order.forget(room_group(7))
    assert order.admit(change(1, 5, room_id=7)) == change(1, 5, room_id=7), "a page opening gets the list anyway"


def test_a_page_sent_the_list_whole_gets_only_what_came_after_it_with_the_count() -> None:
    event = changes(person(1, 10), person(2, 11), person(3, 12))
    assert event.after(9) is event
    later = event.after(10)
    assert later is not None
    assert later.frame("en") == '<li id="person-2"></li><li id="person-3"></li><h2>12</h2>'
    assert event.after(12) is None

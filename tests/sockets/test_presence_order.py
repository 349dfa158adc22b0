"""Presence changes are handed out once each, and never after a newer one (rooms/sockets/presence_order.py)."""

from rooms.events import PresenceChanged, room_group
from rooms.sockets.presence_order import PresenceOrder


def change(user_id: int, stamp: int, *, here: bool = True, room_id: int = 7) -> PresenceChanged:
    person = f'<li id="person-{user_id}"></li>'
    return PresenceChanged(room_id, user_id, here, stamp, person=person, html={"en": f"{person}<h2>{stamp}</h2>"})


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
    assert (late.user_id, late.person, late.html) == (2, '<li id="person-2"></li>', {})
    assert order.admit(change(2, 12)) == change(2, 12), "what follows has its count again"


def test_rooms_are_ordered_apart_and_a_room_left_is_forgotten() -> None:
    order = PresenceOrder()
    order.admit(change(1, 11, room_id=7))
    assert order.admit(change(2, 10, room_id=8)) == change(2, 10, room_id=8)
    order.forget(room_group(7))
    assert order.admit(change(1, 5, room_id=7)) == change(1, 5, room_id=7), "a page opening gets the list anyway"

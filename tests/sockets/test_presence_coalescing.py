"""People coming and going in a crowd reach a page in a few frames, not one per person
(rooms/sockets/presence.py: the first after a quiet while at once, then at most one each
settings.PRESENCE_COALESCE)."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from rooms.models import Room, User
from rooms.people import membership
from rooms.people.presence import person_item, render_changes
from rooms.sockets.presence import Change, InProcessPresence, ProcessPresence
from tests.conftest import MakeUser
from tests.sockets.test_presence import Open, drained, frames_until, listed, open_page, settled

__all__ = ["open_page"]  # the fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_first_change_after_a_quiet_while_goes_at_once_and_those_soon_after_go_together() -> None:
    published: asyncio.Queue[list[Change]] = asyncio.Queue()

    async def publish(changes: list[Change]) -> None:
        await published.put(changes)

    presence = ProcessPresence(asyncio.get_running_loop(), InProcessPresence(), publish, beat=0, coalesce=0.5)
    await presence.came(7, 1, lambda: "<li>1</li>")
    first = await asyncio.wait_for(published.get(), timeout=0.3)  # well within the window: not held back
    assert [(change.user_id, change.here) for change in first] == [(1, True)]

    await presence.came(7, 2, lambda: "<li>2</li>")
    await presence.came(7, 3, lambda: "<li>3</li>")
    presence.went(7, 1)
    await asyncio.sleep(0.3)
    assert published.empty(), "held back until the window is over"
    together = await asyncio.wait_for(published.get(), timeout=1)
    assert [(change.user_id, change.here, change.count) for change in together] == [
        (2, True, 2),
        (3, True, 3),
        (1, False, 2),
    ]


async def test_a_crowd_coming_one_after_the_other_reaches_a_page_in_fewer_frames_than_people_each_once(
    design: Room, ana: User, ben: User, make_user: MakeUser, open_page: Open
) -> None:
    crowd = [await database_sync_to_async(make_user)(f"guest{i}", f"Guest {i}") for i in range(8)]
    for guest in crowd:
        await database_sync_to_async(membership.join_room)(user=guest, room=design)
    anas = await settled(await open_page(ana, design))
    await drained(anas)

    for guest in crowd:  # one after the other, each page open before the next (as a crowd comes, not at once)
        await settled(await open_page(guest, design))

    frames = await frames_until(anas, ">9 people here</h2>")
    assert sorted(name for frame in frames for name in listed(frame)) == sorted(guest.username for guest in crowd)
    assert len(frames) < len(crowd)


def test_someone_who_went_and_came_back_meanwhile_is_in_the_frame_once_as_they_are_now(ana: User, ben: User) -> None:
    event = render_changes(
        [
            Change(7, ben.pk, False, 10, 1, ""),  # a reload: the old tab's socket closed,
            Change(7, ana.pk, True, 11, 2, person_item(ana)),
            Change(7, ben.pk, True, 12, 3, person_item(ben)),  # and the new one opened
            Change(7, ana.pk, False, 13, 2, ""),
        ]
    )
    assert [(person.user_id, person.here, person.stamp) for person in event.people] == [
        (ben.pk, True, 12),
        (ana.pk, False, 13),
    ]
    frame = event.frame("en")
    assert frame.count(f'id="person-{ben.pk}"') == 1
    assert f'hx-swap-oob="beforeend"><li id="person-{ben.pk}"' in frame, "appended, not removed"
    assert frame.endswith(">2 people here</h2>"), "the count after the last change"

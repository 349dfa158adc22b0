"""The typed events between the domain and the socket machinery, as they cross processes (DESIGN.md §9)."""

import msgpack  # type: ignore[import-untyped]  # channels-redis encodes with it; it ships no types
import pytest

from rooms.events import (
    EVENT_TYPES,
    CutOff,
    CutOffReason,
    Event,
    MessageChanged,
    PersonCameOrWent,
    PresenceChanged,
    RoomJoined,
    RoomNews,
    Typing,
    UnknownEvent,
    UnreadChanged,
    as_layer_message,
    from_layer_message,
)

EXAMPLES = [
    MessageChanged(room_id=7, change=42, html={"en": "<li>hi</li>", "ko": "<li>안녕</li>"}),
    CutOff(user_id=3, reason=CutOffReason.SIGNED_OUT, session="abc123"),
    CutOff(user_id=3, reason=CutOffReason.LEFT_ROOM, room_id=7),
    CutOff(user_id=3, reason=CutOffReason.DEACTIVATED),
    PresenceChanged(
        room_id=7,
        people=(
            PersonCameOrWent(
                user_id=3,
                here=True,
                stamp=1_767_225_600_000_001,  # microseconds: past 2**32, as the stores' stamps are
                html='<ul id="people-here-list" hx-swap-oob="beforeend"><li id="person-3">Ana</li></ul>',
            ),
            PersonCameOrWent(user_id=4, here=False, stamp=1_767_225_600_000_002, html='<li id="person-4"></li>'),
        ),
        count={"en": "<h2>2 people here</h2>", "ko": "<h2>2명 접속 중</h2>"},
    ),
    PresenceChanged(
        room_id=7, people=(PersonCameOrWent(user_id=3, here=False, stamp=2, html='<li id="person-3"></li>'),), count={}
    ),
    Typing(room_id=7, user_id=3, html='<ul id="typists" hx-swap-oob="beforeend"><li id="typist-3">Ana</li></ul>'),
    RoomNews(room_id=7, html='<div id="news" hx-swap-oob="beforeend"><data value="42" data-room="7"></data></div>'),
    UnreadChanged(user_id=3, room_id=7, html={"en": '<span id="unread-7">1 unread</span>', "ko": "<span>1개</span>"}),
    RoomJoined(
        user_id=3,
        room_id=7,
        html={"en": '<template data-joined="sidebar-rooms"><li id="sidebar-room-7">Design</li></template>'},
    ),
]


def test_every_event_type_has_an_example_here() -> None:
    assert {type(event) for event in EXAMPLES} == set(EVENT_TYPES.values())


@pytest.mark.parametrize("event", EXAMPLES, ids=repr)
def test_an_event_comes_back_as_itself_through_redis_s_encoding(event: Event) -> None:
    # channels-redis packs messages with msgpack; a group_send adds nothing the event needs.
    carried = msgpack.unpackb(msgpack.packb(as_layer_message(event)))
    assert from_layer_message({**carried, "group": event.group}) == event


@pytest.mark.parametrize(
    "message",
    [
        {"type": "message.renamed", "room_id": 7},
        {"room_id": 7},
        {"type": "message.changed", "room_id": 7},
        {"type": "message.changed", "room_id": 7, "change": 1, "html": {}, "colour": "red"},
        {"type": "cutoff", "user_id": 3, "reason": "went-fishing"},
        {"type": "presence.changed", "room_id": 7, "user_id": 3, "here": True, "stamp": 1},
        {"type": "presence.changed", "room_id": 7, "people": [{"user_id": 3, "here": True}], "count": {}},
        {"type": "presence.changed", "room_id": 7, "people": [], "count": {}},
        {"type": "typing", "room_id": 7, "user_id": 3, "html": "<li>", "typed": "secret"},
    ],
    ids=[
        "unknown type",
        "no type",
        "missing fields",
        "unknown field",
        "unknown reason",
        "presence without its frames",
        "a person without their stamp",
        "nobody came or went",
        "typing with more",
    ],
)
def test_a_message_that_fits_no_event_type_fails_loudly(message: dict[str, object]) -> None:
    with pytest.raises(UnknownEvent):
        from_layer_message(message)

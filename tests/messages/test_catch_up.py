"""What a page that was away is sent: every change after its cursor, once, in order, as it reads now."""

import re

from rooms.messages.catch_up import render_missed
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.history import PAGE_SIZE
from rooms.models import Message, Room, User
from tests.conftest import say

ITEM = re.compile(r'<li id="message-(\d+)" class="message( deleted)?"[^>]*?( hx-swap-oob="outerMorph")?>')


def edit(room: Room, user: User, message: Message, body: str) -> None:
    assert edit_message(room=room, editor=user, message_id=message.pk, data={"body": body}).message is not None


def shown(frame: str, messages: dict[str, Message]) -> list[str]:
    """What the frame does, item by item: 'replace <name>', 'append <name>', 'mark <name> deleted'."""
    names = {message.pk: name for name, message in messages.items()}
    steps = []
    for match in ITEM.finditer(frame):
        name = names[int(match.group(1))]
        if match.group(2):
            steps.append(f"mark {name} deleted")
        elif match.group(3):
            steps.append(f"replace {name}")
        else:
            steps.append(f"append {name}")
    return steps


def test_a_page_gets_every_change_after_its_cursor_once_new_ones_in_their_place_order(
    design: Room, ana: User, ben: User
) -> None:
    seen = {name: say(design, ana, f"{name} text") for name in ("a", "b", "c")}  # changes 1-3: the page has them
    cursor = 3
    new = {"d": say(design, ben, "d text")}  # 4
    edit(design, ana, seen["a"], "a, edited once")  # 5
    new["e"] = say(design, ben, "e text")  # 6
    edit(design, ben, new["d"], "d, edited")  # 7: d is new to the page, and edited since
    delete_message(room=design, deleter=ana, message_id=seen["b"].pk)  # 8
    edit(design, ana, seen["a"], "a, edited twice")  # 9: a changed twice, sent once

    missed = render_missed(design, after=cursor, quiet=True, language="en")

    assert missed is not None
    assert missed.cursor == 9
    everyone = {**seen, **new}
    assert shown(missed.html, everyone) == ["mark b deleted", "replace a", "append d", "append e"]
    assert "a, edited twice" in missed.html
    assert "a, edited once" not in missed.html, "the current state, not the history"
    assert "d, edited" in missed.html
    assert "b text" not in missed.html
    assert '<ol id="message-list" hx-swap-oob="beforeend" data-quiet>' in missed.html
    assert missed.html.endswith('<data id="room-cursor" value="9" hx-swap-oob="true"></data>')
    assert render_missed(design, after=9, quiet=True, language="en") is None, "nothing after the newest change"


def test_a_gap_is_filled_only_up_to_the_change_that_arrived(design: Room, ana: User) -> None:
    first = say(design, ana, "first")  # 1
    edit(design, ana, first, "first, edited")  # 2
    say(design, ana, "second")  # 3

    missed = render_missed(design, after=0, until=2, quiet=False, language="en")

    assert missed is not None
    assert missed.cursor == 2
    assert "first, edited" in missed.html
    assert "second" not in missed.html, "change 3 comes by itself"
    assert "data-quiet" not in missed.html, "a gap in live changes is news"


def test_a_message_changed_again_after_the_gap_comes_with_its_newest_change_not_before(design: Room, ana: User) -> None:
    first = say(design, ana, "first")  # 1
    edit(design, ana, first, "edited at 2")  # 2
    edit(design, ana, first, "edited at 3")  # 3

    assert render_missed(design, after=1, until=2, quiet=False, language="en") is None
    late = render_missed(design, after=1, until=3, quiet=False, language="en")
    assert late is not None
    assert "edited at 3" in late.html


def test_more_than_a_page_of_changed_messages_is_a_link_to_the_first_message_the_page_missed(
    design: Room, ana: User
) -> None:
    old = [say(design, ana, f"old {n}") for n in range(PAGE_SIZE)]  # seen
    cursor = PAGE_SIZE
    for message in old[:-1]:
        edit(design, ana, message, f"{message.body}, edited")
    for n in range(2):
        say(design, ana, f"new {n}")

    missed = render_missed(design, after=cursor, quiet=True, language="en")

    assert missed is not None
    design.refresh_from_db()
    assert missed.cursor == design.last_seq == 2 * PAGE_SIZE - 1 + 2
    assert f'<a href="/rooms/design/?after={cursor}">2 new messages while you were away: show them</a>' in missed.html
    assert "new 0" not in missed.html
    assert "edited" not in missed.html


def test_a_page_of_changed_messages_is_sent_however_often_each_changed(design: Room, ana: User) -> None:
    old = [say(design, ana, f"old {n}") for n in range(3)]
    for n in range(2 * PAGE_SIZE):
        edit(design, ana, old[n % 3], f"edit {n}")

    missed = render_missed(design, after=3, quiet=True, language="en")

    assert missed is not None
    assert missed.html.count("<li ") == 3


def test_more_than_a_page_of_edited_messages_alone_is_a_link_to_the_room(design: Room, ana: User) -> None:
    old = [say(design, ana, f"old {n}") for n in range(PAGE_SIZE + 1)]
    for message in old:
        edit(design, ana, message, f"{message.body}, edited")

    missed = render_missed(design, after=PAGE_SIZE + 1, quiet=True, language="ko")

    assert missed is not None
    assert '<a href="/rooms/design/">자리를 비운 사이 메시지가 바뀌었습니다: 보기</a>' in missed.html

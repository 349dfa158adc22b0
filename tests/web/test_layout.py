"""The room page laid out as a chat (rooms/templatetags/chat.py, templates/rooms/room.html and sidebar.html),
as the server renders it: runs, days, the sidebar, and a message box that cuts nothing."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from rooms.models import MESSAGE_MAX_LENGTH, Message, Room
from rooms.people import membership
from rooms.templatetags.chat import css_string, in_runs
from tests.conftest import MakeUser, say, signed_in

pytestmark = pytest.mark.django_db


def room_with(make_user: MakeUser) -> tuple[Room, list[Message]]:
    ana, ben = make_user("ana"), make_user("ben")
    room = membership.enter_room(user=ana, name="Runs", slug="runs")
    membership.join_room(user=ben, room=room)
    sent = [say(room, ana, "one"), say(room, ana, "two"), say(room, ben, "three"), say(room, ana, "four")]
    return room, sent


def test_messages_of_one_author_within_five_minutes_continue_a_run(make_user: MakeUser) -> None:
    _room, (one, two, three, four) = room_with(make_user)
    assert [continued for _message, continued, _day in in_runs([one, two, three, four])] == [False, True, False, False]
    two.created_at = one.created_at + timedelta(minutes=6)
    assert [continued for _message, continued, _day in in_runs([one, two])] == [False, False]
    assert [continued for _message, continued, _day in in_runs([one, two], two.seq)] == [False, False]


def test_a_day_starts_with_its_label_and_a_page_of_today_alone_has_none(make_user: MakeUser) -> None:
    _room, (one, two, three, four) = room_with(make_user)
    assert [day for _message, _continued, day in in_runs([one, two, three, four])] == [None] * 4
    one.created_at = timezone.now() - timedelta(days=3)
    two.created_at = timezone.now() - timedelta(days=1)
    days = [day.label if day else None for _message, _continued, day in in_runs([one, two, three, four])]
    assert days[1:] == ["Yesterday", "Today", None]
    assert days[0] is not None
    assert re.fullmatch(r"\w+\.? \d+, \d{4}", days[0])


def test_a_css_string_cannot_end_itself_or_the_style_element() -> None:
    assert css_string('You"}</style>') == '"You\\22 \\7d \\3c \\2f style\\3e "'


def test_the_room_page_has_the_sidebar_the_runs_and_a_message_box_without_maxlength(make_user: MakeUser) -> None:
    room, _sent = room_with(make_user)
    ana = room.members.get(username="ana")
    page = signed_in(ana).get(room.get_absolute_url()).content.decode()
    assert f'id="sidebar-room-{room.pk}"' in page
    assert f'id="unread-{room.pk}"' in page
    assert page.count('class="message continued"') == 1
    box = re.search(r"<textarea[^>]*>", page)
    assert box is not None
    assert "maxlength" not in box.group()
    assert "tabindex" not in re.search(r'<div class="message-log"[^>]*>', page).group()  # type: ignore[union-attr]


def test_text_over_the_limit_is_refused_whole_without_javascript(make_user: MakeUser) -> None:
    room, _sent = room_with(make_user)
    ana = room.members.get(username="ana")
    too_long = "z" * (MESSAGE_MAX_LENGTH + 1000)
    response = signed_in(ana).post(room.get_absolute_url(), {"body": too_long})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A message can be at most 4000 characters long; this one has 5000." in page
    assert f">\n{too_long}</textarea>" in page or f">{too_long}</textarea>" in page
    assert not Message.objects.filter(body=too_long).exists()

"""The composer's @ suggestions: the room's members who match what was typed, for members only."""

import pytest

from rooms.models import Room, User
from rooms.people import membership
from tests.conftest import MakeUser, signed_in


@pytest.fixture
def carla(make_user: MakeUser, design: Room) -> User:
    carla = make_user("carla", display_name="Bea Carla")
    membership.join_room(user=carla, room=design)
    return carla


def test_the_members_whose_username_or_display_name_begins_with_what_was_typed_are_offered(
    design: Room, ana: User, ben: User, carla: User, make_user: MakeUser
) -> None:
    make_user("bert")  # not a member

    answer = signed_in(ana).get("/rooms/design/mentionable/", {"q": "b"})

    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-username="ben"' in html
    assert 'data-username="carla"' in html, "by her display name"
    assert 'role="option"' in html
    assert "bert" not in html, "only the room's members"


def test_an_empty_query_offers_members_a_few_at_a_time(design: Room, ana: User, make_user: MakeUser) -> None:
    for n in range(12):
        membership.join_room(user=make_user(f"member{n:02}"), room=design)
    html = signed_in(ana).get("/rooms/design/mentionable/", {"q": ""}).content.decode()
    assert html.count('role="option"') == 8


def test_names_are_escaped(design: Room, ana: User, make_user: MakeUser) -> None:
    membership.join_room(user=make_user("evil", display_name="<img src=x onerror=alert(1)>"), room=design)
    html = signed_in(ana).get("/rooms/design/mentionable/", {"q": "ev"}).content.decode()
    assert "<img" not in html
    assert "&lt;img" in html


def test_someone_who_is_not_a_member_is_told_nothing(design: Room, make_user: MakeUser) -> None:
    outsider = make_user("outsider")
    assert signed_in(outsider).get("/rooms/design/mentionable/", {"q": "a"}).status_code == 404
    assert signed_in(outsider).get("/rooms/nowhere/mentionable/", {"q": "a"}).status_code == 404

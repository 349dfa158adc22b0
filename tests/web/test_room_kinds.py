"""Open rooms, private rooms and direct conversations: who sees them, who joins, what admins change."""

import re

import pytest
from django.test import Client

from rooms.models import Membership, Room, User
from rooms.people import membership
from tests.conftest import MakeUser, page_as_any_address_gives_it, say, signed_in


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def hideout(ana: User) -> Room:
    """A private room of Ana's, with a message in it."""
    room = membership.create_private_room(user=ana, name="Hideout", description="Plans for the party")
    say(room, ana, "surprise for ben")
    return room


def test_a_private_room_is_made_by_its_first_admin_and_shown_to_them(ana: User) -> None:
    response = signed_in(ana).post("/private-rooms/", {"name": "Hideout", "description": "Plans"})

    room = Room.objects.get(name="Hideout")
    assert response["Location"] == room.get_absolute_url()
    assert room.kind == Room.Kind.PRIVATE
    assert re.fullmatch(r"hideout-[A-Z]{8}", room.slug), "an address no typed name spells"
    assert Membership.objects.get(room=room, user=ana).is_admin
    page = text_of(signed_in(ana).get(room.get_absolute_url()))
    assert '<span class="kind">Private</span>' in page
    assert "Plans" in page
    assert 'href="/rooms/' + room.slug + '/settings/">Room settings</a>' in page


def test_to_an_outsider_a_private_room_is_every_way_the_same_404_as_no_room(
    hideout: Room, ben: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(ben)
    message = hideout.messages.get()
    for address in (
        "{room}",
        "{room}?before=5",
        "{room}leave/",
        "{room}settings/",
        f"{{room}}messages/{message.pk}/",
        f"{{room}}messages/{message.pk}/history/",
        f"{{room}}messages/{message.pk}/edit/",
    ):
        hidden = client.get(address.format(room=hideout.get_absolute_url()))
        missing = client.get(address.format(room="/rooms/no-such-room/"))
        assert hidden.status_code == missing.status_code == 404, address
        assert page_as_any_address_gives_it(hidden) == page_as_any_address_gives_it(missing), address
    for action in ("join/", "leave/"):
        assert client.post(hideout.get_absolute_url() + action).status_code == 404
    assert not Membership.objects.filter(room=hideout, user=ben).exists()
    assert client.post(hideout.get_absolute_url(), {"body": "let me in"}).status_code == 404
    lobby = text_of(client.get("/"))
    assert "Hideout" not in lobby


def test_a_private_room_s_name_typed_in_the_lobby_leads_to_an_open_room_of_that_name(hideout: Room, ben: User) -> None:
    response = signed_in(ben).post("/", {"name": "Hideout"})

    opened = Room.objects.get(kind=Room.Kind.OPEN, name="Hideout")
    assert response["Location"] == opened.get_absolute_url() == "/rooms/hideout/"
    assert opened != hideout
    assert "surprise" not in text_of(signed_in(ben).get("/rooms/hideout/"))


def test_an_admin_adds_and_removes_members_and_admins(hideout: Room, ana: User, ben: User, make_user: MakeUser) -> None:
    client = signed_in(ana)
    settings_url = hideout.get_absolute_url() + "settings/"

    response = client.post(hideout.get_absolute_url() + "members/", {"username": "ben"}, follow=True)
    assert "Ben is now a member." in text_of(response)
    assert "surprise for ben" in text_of(signed_in(ben).get(hideout.get_absolute_url()))
    assert "Hideout" in text_of(signed_in(ben).get("/"))
    assert signed_in(ben).get(settings_url).status_code == 403, "a member, not an admin"

    client.post(hideout.get_absolute_url() + f"members/{ben.pk}/admin/", {"admin": "yes"})
    assert signed_in(ben).get(settings_url).status_code == 200

    response = client.post(hideout.get_absolute_url() + f"members/{ben.pk}/remove/", follow=True)
    assert "Ben is no longer a member." in text_of(response)
    assert signed_in(ben).get(hideout.get_absolute_url()).status_code == 404


def test_adding_someone_unknown_is_refused_next_to_the_field(hideout: Room, ana: User) -> None:
    response = signed_in(ana).post(hideout.get_absolute_url() + "members/", {"username": "nobody"})
    assert response.status_code == 400
    assert "Nobody here has the username nobody." in text_of(response)
    assert 'aria-invalid="true"' in text_of(response)


def test_renaming_a_room_and_making_it_private_gives_it_an_address_its_name_does_not_lead_to(
    design: Room, ana: User, ben: User
) -> None:
    response = signed_in(ana).post(
        "/rooms/design/settings/", {"name": "Design team", "description": "", "kind": "private"}
    )

    design.refresh_from_db()
    assert (design.name, design.kind) == ("Design team", Room.Kind.PRIVATE)
    assert response["Location"] == f"/rooms/{design.slug}/settings/"
    assert design.slug.startswith("design-team-")
    assert signed_in(ben).get(design.get_absolute_url()).status_code == 200, "Ben is a member still"
    assert signed_in(ben).get("/rooms/design/").status_code == 404


def test_the_settings_form_refuses_bad_names_as_the_lobby_does(design: Room, ana: User) -> None:
    response = signed_in(ana).post("/rooms/design/settings/", {"name": "", "description": "", "kind": "open"})
    assert response.status_code == 400
    assert "Type a name for the room." in text_of(response)
    response = signed_in(ana).post("/rooms/design/settings/", {"name": "x", "description": "", "kind": "direct"})
    assert response.status_code == 400, "a room cannot be made a direct conversation"


def test_the_same_people_always_reach_the_same_conversation(ana: User, ben: User, make_user: MakeUser) -> None:
    carl = make_user("carl", "Carl")
    first = signed_in(ana).post("/conversations/", {"people": "ben, @carl"})
    again = signed_in(carl).post("/conversations/", {"people": "ben ana"})
    pair = signed_in(ben).post("/conversations/", {"people": "ana"})

    assert first["Location"] == again["Location"]
    assert pair["Location"] != first["Location"], "other people, another conversation"
    room = Room.objects.get(kind=Room.Kind.DIRECT, direct_key=f"{ana.pk}-{ben.pk}-{carl.pk}")
    assert '<h1 id="room-heading"><bdi>Ben, Carl</bdi></h1>' in text_of(signed_in(ana).get(first["Location"]))
    assert '<h1 id="room-heading"><bdi>Ana, Ben</bdi></h1>' in text_of(signed_in(carl).get(first["Location"]))
    assert signed_in(make_user("dan")).get(room.get_absolute_url()).status_code == 404


def test_someone_who_left_a_conversation_is_back_in_it_when_it_is_started_again(ana: User, ben: User) -> None:
    room = membership.start_conversation(user=ana, others=[ben])
    membership.leave_room(user=ben, room=room)

    assert membership.start_conversation(user=ana, others=[ben]) == room
    assert Membership.objects.filter(room=room, user=ben).exists()


@pytest.mark.parametrize(
    ("people", "error"),
    [
        ("", "Type the username of at least one person."),
        ("ghost, ben", "Nobody here has the username ghost."),
        ("ghost spook", "Nobody here has these usernames: ghost, spook."),
        ("ana", "Name someone other than yourself."),
    ],
)
def test_a_conversation_with_nobody_known_is_refused_next_to_the_field(
    ana: User, ben: User, people: str, error: str
) -> None:
    response = signed_in(ana).post("/conversations/", {"people": people})
    assert response.status_code == 400
    assert error in text_of(response)
    assert not Room.objects.filter(kind=Room.Kind.DIRECT).exists()


def test_leaving_asks_first_and_says_afterwards(design: Room, ben: User) -> None:
    client: Client = signed_in(ben)
    question = text_of(client.get("/rooms/design/leave/"))
    assert "<h1>Leave <bdi>Design</bdi>?</h1>" in question
    assert Membership.objects.filter(room=design, user=ben).exists(), "asking leaves nothing"

    response = client.post("/rooms/design/leave/", follow=True)
    assert "You left Design." in text_of(response)
    assert not Membership.objects.filter(room=design, user=ben).exists()


def test_someone_reading_an_open_room_is_told_the_page_is_not_live_and_offered_join(
    design: Room, make_user: MakeUser
) -> None:
    page = text_of(signed_in(make_user("reader")).get("/rooms/design/"))
    assert "this page does not update itself" in page
    assert 'hx-ws:connect="/ws/rooms/' not in page
    assert ">Join room</button>" in page


def test_a_person_s_page_starts_a_conversation_with_them(ana: User, ben: User) -> None:
    page = text_of(signed_in(ana).get("/people/ben/"))
    assert "<h1><bdi>Ben</bdi></h1>" in page
    assert ">Send <bdi>Ben</bdi> a direct message</button>" in page
    assert 'name="people" value="ben"' in page
    assert "direct message" not in text_of(signed_in(ana).get("/people/ana/")), "not with oneself"
    assert signed_in(ana).get("/people/nobody/").status_code == 404


def test_the_mentions_page_lists_what_mentions_me_where_i_may_read_it(
    design: Room, hideout: Room, ana: User, ben: User, make_user: MakeUser
) -> None:
    say(design, ana, "hey @ben, look")
    say(hideout, ana, "@ben is not in here")
    say(design, ana, "nothing for ben")

    page = text_of(signed_in(ben).get("/mentions/"))
    assert "hey @ben, look" in page
    assert "not in here" not in page, "a private room he is not in"
    assert "nothing for ben" not in page
    assert "Nobody has mentioned you yet." in text_of(signed_in(make_user("carl")).get("/mentions/"))


def test_a_member_chooses_what_of_a_room_counts_as_news(design: Room, ana: User, ben: User) -> None:
    client = signed_in(ben)
    response = client.post("/rooms/design/notify/", {"notify": "mentions"}, follow=True)
    assert "Saved: Only messages that mention me." in text_of(response)
    assert 'data-announce="mentions"' in text_of(response), "the stricter of the two settings"

    def counted() -> str:
        found = re.search(r'<span class="unread" id="unread-\d+"[^>]*>([^<]*)</span>', text_of(client.get("/")))
        assert found is not None
        return found[1]

    say(design, ana, "chatter")
    assert counted() == "", "mentions only: chatter is not news"
    say(design, ana, "@ben, this one")
    assert counted() == "1 mention"

    client.post("/rooms/design/notify/", {"notify": "none"})
    assert counted() == ""
    assert 'data-announce="none"' in text_of(client.get("/rooms/design/"))
    assert signed_in(ana).post("/rooms/no-such/notify/", {"notify": "none"}).status_code == 404

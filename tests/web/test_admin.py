"""Django's admin, for staff: people, rooms and members; messages only to look at."""

import re
from unittest import mock

from django.test import Client

from rooms.events import CutOff, CutOffReason
from rooms.messages.reacting import toggle_reaction
from rooms.models import Membership, Reaction, Room, User
from tests.conftest import MakeUser, say, signed_in


def staff(make_user: MakeUser) -> Client:
    boss = make_user("boss")
    boss.is_staff = boss.is_superuser = True
    boss.save()
    return signed_in(boss)


def test_only_staff_reach_the_admin(ana: User) -> None:
    response = signed_in(ana).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_see_people_rooms_and_messages_but_cannot_change_a_message_there(
    design: Room, ana: User, make_user: MakeUser
) -> None:
    client = staff(make_user)
    message = say(design, ana, "look, don't touch")

    assert "Design" in client.get("/admin/rooms/room/").content.decode()
    assert "ana" in client.get("/admin/rooms/user/").content.decode()
    page = client.get(f"/admin/rooms/message/{message.pk}/change/").content.decode()
    assert "look, don&#x27;t touch" in page
    assert 'name="_save"' not in page, "read-only: a change goes through the chat, which tells every page"
    assert client.post(f"/admin/rooms/message/{message.pk}/delete/").status_code == 403


def test_staff_see_reactions_but_cannot_add_change_or_delete_one_there(
    design: Room, ana: User, make_user: MakeUser
) -> None:
    client = staff(make_user)
    message = say(design, ana, "react")
    toggle_reaction(room=design, user=ana, message_id=message.pk, data={"emoji": "👍"})
    reaction = Reaction.objects.get()

    assert "👍" in client.get("/admin/rooms/reaction/").content.decode()
    page = client.get(f"/admin/rooms/reaction/{reaction.pk}/change/").content.decode()
    assert 'name="_save"' not in page, "read-only: a reaction comes and goes through the chat, numbered"
    assert client.get("/admin/rooms/reaction/add/").status_code == 403
    assert client.post(f"/admin/rooms/reaction/{reaction.pk}/delete/").status_code == 403


def test_admin_pages_run_no_inline_script_the_policy_would_block(design: Room, make_user: MakeUser) -> None:
    client = staff(make_user)
    for address in ("/admin/", "/admin/rooms/room/", f"/admin/rooms/room/{design.pk}/change/"):
        page = client.get(address).content.decode()
        inline = [script for script in re.findall(r"<script([^>]*)>", page) if "src=" not in script]
        assert all("application/json" in attributes for attributes in inline), (address, inline)


def test_removing_a_member_any_way_closes_their_sockets_to_the_room(design: Room, ben: User) -> None:
    with mock.patch("rooms.people.cutoff.publish") as publish:
        Membership.objects.filter(room=design, user=ben).delete()  # as the admin's inline does

    publish.assert_called_once_with(CutOff(user_id=ben.pk, reason=CutOffReason.LEFT_ROOM, room_id=design.pk))

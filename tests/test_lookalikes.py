"""Nobody passes for somebody else: names that disguise themselves are refused, look-alike
names lead to the existing room or are taken, and every display name shows whose it is."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from rooms.forms import SignUpForm
from rooms.models import Room, User
from tests.conftest import PASSWORD, MakeUser, say, signed_in

DISGUISES = {
    "right-to-left override": ("\u202e", "U+202E"),
    "left-to-right embedding": ("\u202a", "U+202A"),
    "first strong isolate": ("\u2068", "U+2068"),
    "pop directional isolate": ("\u2069", "U+2069"),
    "right-to-left mark": ("\u200f", "U+200F"),
    "left-to-right mark": ("\u200e", "U+200E"),
    "arabic letter mark": ("\u061c", "U+061C"),
}
CONTROLS = {
    "bell": ("\x07", "U+0007"),
    "escape": ("\x1b", "U+001B"),
    "zero width space": ("\u200b", "U+200B"),
    "soft hyphen": ("\u00ad", "U+00AD"),
    "stray tag": ("\U000e0041", "U+E0041"),
}


def sign_up(client: Client, *, username: str, display_name: str = "") -> str:
    fields = {"username": username, "display_name": display_name, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", fields).content.decode()


@pytest.mark.parametrize(("char", "code_point"), DISGUISES.values(), ids=DISGUISES.keys())
def test_a_name_with_a_direction_control_is_refused_everywhere_saying_which(
    ana: User, char: str, code_point: str
) -> None:
    error = f"This name contains an invisible character that changes the direction of text ({code_point})"
    client = signed_in(ana)

    assert error in sign_up(Client(), username="mallory", display_name=f"Ana{char}")
    assert error in client.post("/", {"name": f"gnp{char}.exe"}).content.decode()
    assert (
        error in client.post("/accounts/settings/", {"display_name": f"{char}Ben", "announce": "all"}).content.decode()
    )
    assert not User.objects.filter(username="mallory").exists()
    assert not Room.objects.exists()
    ana.refresh_from_db()
    assert ana.display_name == "Ana"


@pytest.mark.parametrize(("char", "code_point"), CONTROLS.values(), ids=CONTROLS.keys())
def test_a_name_with_a_control_character_is_refused_saying_which(ana: User, char: str, code_point: str) -> None:
    error = f"This name contains an invisible control character ({code_point}), which can hide or disguise part of it."

    assert error in sign_up(Client(), username="mallory", display_name=f"An{char}a")
    assert error in sign_up(Client(), username=f"mal{char}lory")
    assert error in signed_in(ana).post("/", {"name": f"Des{char}ign"}).content.decode()
    assert not User.objects.filter(username__startswith="mal").exists()
    assert not Room.objects.exists()


def test_the_refusal_is_in_the_reader_s_language(ana: User) -> None:
    client = signed_in(ana)
    client.cookies["django_language"] = "ko"

    page = client.post("/", {"name": "gnp\u202e.exe"}).content.decode()

    assert "글의 방향을 바꾸는 보이지 않는 문자(U+202E)" in page


@pytest.mark.parametrize(
    "name",
    ["👩\u200d💻 Dev", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scots", "می\u200cخواهم"],
    ids=["zwj-emoji", "flag-tag-sequence", "persian-zwnj"],
)
def test_joiners_and_flag_tags_that_names_need_are_accepted(ana: User, name: str) -> None:
    response = signed_in(ana).post("/", {"name": name})

    assert response.status_code == 302
    assert Room.objects.get().name == name


def test_a_room_name_that_looks_like_an_existing_one_leads_to_that_room(ana: User, make_user: MakeUser) -> None:
    signed_in(ana).post("/", {"name": "Paypal"})
    carl = make_user("carl")

    # Cyrillic Р, а and у, and a capital I for the l: another address, the same look.
    response = signed_in(carl).post("/", {"name": "\u0420\u0430\u0443\u0440\u0430I"})

    assert response["Location"] == "/rooms/paypal/"
    assert Room.objects.count() == 1
    assert carl in Room.objects.get().members.all()


def test_two_rooms_that_look_alike_cannot_both_be_stored(db: None) -> None:
    Room.objects.create(name="Paypal", slug="paypal", skeleton="paypal")

    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(name="Раураl", slug="раураl", skeleton="paypal")


@pytest.mark.parametrize(
    "username", ["\u0430na", "\u0410NA", "\u0391NA"], ids=["cyrillic-a", "cyrillic-capitals", "greek-capitals"]
)
def test_a_username_that_looks_like_a_taken_one_is_refused_as_taken(ana: User, username: str) -> None:
    page = sign_up(Client(), username=username)

    assert "A user with that username already exists." in page
    assert User.objects.count() == 1


def test_two_people_signing_up_look_alikes_at_once_cannot_both_win(ana: User, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="\u0430na", password=PASSWORD)

    # The other sign-up passed the form's check just before this one committed: the database decides.
    monkeypatch.setattr(SignUpForm, "clean_username", lambda form: form.cleaned_data["username"])
    client = Client()
    page = sign_up(client, username="\u0430na")

    assert "A user with that username already exists." in page
    assert User.objects.count() == 1


def test_two_people_of_one_display_name_are_told_apart_by_their_usernames(
    ana: User, make_user: MakeUser, design: Room
) -> None:
    impostor = make_user("ana_2", "Ana")
    design.members.add(impostor)
    say(design, ana, "the real one")
    say(design, impostor, "the other one")

    page = signed_in(ana).get("/rooms/design/").content.decode()

    # In the article's name (the meta line labels it), for every viewer the same.
    assert '<bdi class="author">Ana</bdi> <span class="username">@<bdi>ana</bdi></span>' in page
    assert '<bdi class="author">Ana</bdi> <span class="username">@<bdi>ana_2</bdi></span>' in page
    assert 'Signed in as <bdi>Ana</bdi> <span class="username">@<bdi>ana</bdi></span>' in page
    assert messages_of(page) == messages_of(signed_in(impostor).get("/rooms/design/").content.decode())


def messages_of(page: str) -> str:
    """The messages as the page shows them, without the "New messages" divider and the CSRF tokens of the
    reaction forms (both the viewer's own)."""
    messages = page[page.index('<ol id="message-list"') : page.index("</ol>")]
    messages = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">', "", messages)
    return re.sub(r'<li class="unread-divider".*?</li>', "", messages)


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_rooms_and_people_theirs_the_oldest_keeping_a_shared_one() -> None:
    before, after = [("rooms", "0002_announce_setting")], [("rooms", "0003_lookalike_names")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old_room, old_user = old.get_model("rooms", "Room"), old.get_model("rooms", "User")
    paypal = old_room.objects.create(name="Paypal", slug="paypal")
    lookalike = old_room.objects.create(name="Раураl", slug="раураl")
    ana = old_user.objects.create(username="ana", display_name="Ana")
    old_user.objects.create(username="ANA", display_name="Ana")

    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)

        # Read as 0003 left them: today's models have columns of later migrations (a room's kind, 0005).
        new = executor.loader.project_state(after).apps
        new_room, new_user = new.get_model("rooms", "Room"), new.get_model("rooms", "User")
        assert new_room.objects.get(pk=paypal.pk).skeleton == "paypal"
        assert new_room.objects.get(pk=lookalike.pk).skeleton is None, "still at its address, not a second look-alike"
        assert list(new_user.objects.filter(username_skeleton__isnull=False).values_list("pk", flat=True)) == [ana.pk]
    finally:
        # The tests after this one need the schema of today.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

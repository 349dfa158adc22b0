"""Who is here and who is typing on the room page, and the setting that reads typing out (without JavaScript)."""

import re

from rooms.models import Room, User
from rooms.people import membership
from tests.conftest import MakeUser, say, signed_in


def test_the_live_room_page_has_a_region_listing_who_is_here_named_by_its_count(design: Room, ana: User) -> None:
    page = signed_in(ana).get("/rooms/design/").content.decode()

    region = re.search(
        r'<section id="people-here" class="people-here" aria-labelledby="people-here-count">.*?</section>', page, re.S
    )
    assert region is not None
    assert '<h2 id="people-here-count" class="people-count">0 people here</h2>' in region.group()
    assert (
        '<ul id="people-here-list" class="people-here-list" aria-labelledby="people-here-count"></ul>' in region.group()
    )
    assert "aria-live" not in region.group(), "comings and goings are not read out"


def test_a_reader_of_a_room_they_have_not_joined_and_an_older_page_show_no_one_as_here(
    design: Room, ana: User, make_user: MakeUser
) -> None:
    carl = make_user("carl")
    assert 'id="people-here"' not in signed_in(carl).get("/rooms/design/").content.decode(), "not live for them"
    assert 'id="typing-status"' not in signed_in(carl).get("/rooms/design/").content.decode()
    say(design, ana, "one")
    say(design, ana, "two")
    assert 'id="people-here"' not in signed_in(ana).get("/rooms/design/?before=2").content.decode(), "history"


def test_the_typing_line_is_no_live_region_and_carries_its_words_and_the_reader_s_choice(
    design: Room, ana: User
) -> None:
    page = signed_in(ana).get("/rooms/design/").content.decode()
    line = re.search(r'<div class="typing".*?</div>', page, re.S)
    assert line is not None
    assert f'data-viewer-id="{ana.pk}" data-announce="false"' in line.group()
    assert 'data-text-one="{name} is typing…"' in line.group()
    assert 'data-text-two="{first} and {second} are typing…"' in line.group()
    assert 'data-text-several="Several people are typing…"' in line.group()
    assert '<p id="typing-status" class="typing-status"></p>' in line.group()
    assert "aria-live" not in line.group()
    assert "role=" not in line.group()


def test_the_typing_line_speaks_korean(design: Room, ana: User) -> None:
    client = signed_in(ana)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    page = client.get("/rooms/design/").content.decode()
    assert 'data-text-one="{name} 님이 입력하고 있습니다…"' in page
    assert 'data-text-two="{first} 님과 {second} 님이 입력하고 있습니다…"' in page
    assert 'data-text-several="여러 사람이 입력하고 있습니다…"' in page
    assert ">0명 접속 중</h2>" in page


def test_who_is_typing_is_read_out_only_to_a_reader_who_chose_so_in_settings(design: Room, ana: User) -> None:
    client = signed_in(ana)
    settings_page = client.get("/accounts/settings/").content.decode()
    assert '<input type="checkbox" name="announce_typing"' in settings_page
    assert "Whether your screen reader also says, now and then, who is typing in the room." in settings_page
    assert 'data-announce="false"' in client.get("/rooms/design/").content.decode(), "not unless chosen"

    client.post("/accounts/settings/", {"display_name": "Ana", "announce": "all", "announce_typing": "on"})

    ana.refresh_from_db()
    assert ana.announce_typing
    assert 'data-announce="true"' in client.get("/rooms/design/").content.decode()
    client.post("/accounts/settings/", {"display_name": "Ana", "announce": "all"})
    ana.refresh_from_db()
    assert not ana.announce_typing, "unticked, it is off again"


def test_a_direct_conversation_shows_who_is_here_too(ana: User, ben: User) -> None:
    conversation = membership.start_conversation(user=ana, others=[ben])
    assert 'id="people-here"' in signed_in(ana).get(conversation.get_absolute_url()).content.decode()

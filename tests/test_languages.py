"""English and Korean, chosen without JavaScript; every string a user sees is translated."""

from django.test import Client

from rooms.models import Room, User
from tests.conftest import signed_in


def korean(client: Client) -> Client:
    """Choose Korean the way a person does: the header's language form."""
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert response.status_code == 302
    return client


def test_a_visitor_can_switch_to_korean_before_signing_in_without_javascript(db: None) -> None:
    client = korean(Client())
    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="ko">' in page
    assert "<title>로그인 · 채팅</title>" in page
    assert "계정을 만드세요" in page
    assert '<option value="ko" lang="ko" selected>' in page


def test_the_lobby_and_room_speak_korean_errors_included(design: Room, ana: User) -> None:
    client = korean(signed_in(ana))

    lobby = client.get("/").content.decode()
    assert "어느 대화방에 들어가시겠어요?" in lobby
    assert "최근에 활동한 대화방" in lobby

    room = client.get("/rooms/design/").content.decode()
    assert '<label for="id_body">메시지</label>' in room
    assert 'data-text-open="연결되었습니다."' in room

    refused = client.post("/rooms/design/", {"body": "  "}).content.decode()
    assert "메시지가 비어 있습니다. 보낼 내용을 입력해 주세요." in refused
    assert "<title>오류: Design · 채팅</title>" in refused


def test_english_stays_the_default(design: Room, ana: User) -> None:
    page = signed_in(ana).get("/").content.decode()
    assert '<html lang="en">' in page
    assert "What chat room would you like to enter?" in page

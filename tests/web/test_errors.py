"""Refused and failed requests get the chat's own page: what happened, nothing changed, the way back."""

import pytest
from django.test import Client

from rooms.models import Room, User
from rooms.people import membership
from tests.conftest import signed_in
from tests.test_languages import korean


def assert_page(response: object, status: int, heading: str, explanation: str) -> str:
    assert response.status_code == status  # type: ignore[attr-defined]
    page: str = response.content.decode()  # type: ignore[attr-defined]
    assert f"<h1>{heading}</h1>" in page, page
    assert f'<p class="problem" role="alert">{explanation}' in page, page
    assert '<a href="/">Back to your rooms</a>' in page
    assert '<link rel="stylesheet" href="/static/css/chat.css' in page
    return page


def test_a_room_that_is_not_there_and_a_private_room_of_others_get_the_same_not_found_page(
    design: Room, ana: User, ben: User
) -> None:
    secret = membership.create_private_room(user=ana, name="Secret")
    client = signed_in(ben)

    missing = assert_page(client.get("/rooms/no-such-room/"), 404, "Not found", "There is nothing at this address")
    private = assert_page(client.get(f"/rooms/{secret.slug}/"), 404, "Not found", "There is nothing at this address")

    assert "<title>Error: Not found · Chat</title>" in missing
    assert "Secret" not in private


def test_the_not_found_page_speaks_korean(design: Room, ana: User) -> None:
    page = korean(signed_in(ana)).get("/rooms/no-such-room/").content.decode()

    assert '<html lang="ko">' in page
    assert "<h1>찾을 수 없음</h1>" in page
    assert "<title>오류: 찾을 수 없음 · 채팅</title>" in page


def test_a_room_s_settings_opened_by_a_member_who_is_not_its_admin_get_the_not_allowed_page(
    design: Room, ben: User
) -> None:
    assert_page(signed_in(ben).get("/rooms/design/settings/"), 403, "Not allowed", "You cannot do this here")


def test_opening_an_address_that_only_takes_a_form_gets_a_page_saying_so_and_htmx_only_the_words(
    design: Room, ana: User
) -> None:
    client = signed_in(ana)

    visit = client.get("/rooms/design/join/")
    assert_page(visit, 405, "Nothing to open here", "This address only takes what a form sends")
    assert visit["Allow"] == "POST"

    swapped = client.get("/conversations/", headers={"HX-Request": "true"})
    assert swapped.status_code == 405
    assert swapped.content.decode() == (
        '<p class="problem" role="alert">This address only takes what a form sends, so opening it shows nothing '
        "and changes nothing.</p>"
    )


def test_the_bot_api_keeps_its_empty_not_allowed_answer(design: Room, ana: User) -> None:
    response = Client().get("/api/rooms/design/messages")

    assert response.status_code == 405
    assert response.content == b""
    assert response["Allow"] == "POST"


def test_a_form_sent_without_its_csrf_token_gets_the_expired_form_page(design: Room, ana: User) -> None:
    client = signed_in(ana, enforce_csrf_checks=True)

    assert_page(client.post("/rooms/design/", {"body": "hello"}), 403, "This form has expired", "It came from a page")
    assert not design.messages.exists()


def test_a_request_for_a_host_the_chat_does_not_serve_gets_the_bad_request_page(db: None) -> None:
    assert_page(
        Client().get("/accounts/login/", headers={"host": "evil.example"}),
        400,
        "This request could not be read",
        "Something in it was not what the chat expects",
    )


@pytest.mark.urls("tests.crashing_urls")
def test_a_view_that_fails_gets_the_server_error_page_standing_alone(ana: User) -> None:
    client = signed_in(ana)
    client.raise_request_exception = False

    page = assert_page(client.post("/crash/", {"body": "x"}), 500, "Something went wrong", "The chat could not")
    assert "Menu" not in page  # nothing of the request is rendered: it may be what failed

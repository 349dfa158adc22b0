"""Korean, chosen from the header's language form, with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser.people import People, unique

pytestmark = pytest.mark.browser


def test_without_javascript_a_visitor_chooses_korean_and_the_page_is_in_korean(people: People) -> None:
    visitor = people.new(javascript_enabled=False)
    visitor.visit("/accounts/login/")

    visitor.open_menu()
    visitor.page.get_by_label("Language").select_option("ko")
    visitor.page.get_by_role("button", name="Change language").click()

    expect(visitor.page.locator("html")).to_have_attribute("lang", "ko")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("로그인")
    expect(visitor.page.get_by_label("언어")).to_have_value("ko")


def test_the_korean_lobby_and_room_are_accessible_and_live(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("디자인 회의")
    for person in (ada, bob):
        person.open_menu()
        person.page.get_by_label("Language").select_option("ko")
        person.page.get_by_role("button", name="Change language").click()
        expect(person.page.get_by_role("heading", level=1)).to_have_text("대화방")
        person.check_accessibility_in_light_and_dark()
        person.page.get_by_label("어느 대화방에 들어가시겠어요?").fill(room)
        person.page.get_by_role("button", name="들어가기").click()
        expect(person.page.get_by_role("heading", level=1)).to_have_text(room)
        expect(person.page.get_by_role("status")).to_have_text("연결되었습니다.")

    box = ada.page.get_by_role("textbox", name="메시지")
    box.fill("안녕하세요")
    box.press("Enter")
    bob.expect_message("안녕하세요")
    box.press("Enter")  # an empty message: the error comes in Korean, over the socket
    expect(ada.page.locator("#composer-fields [role=alert]")).to_contain_text("메시지가 비어 있습니다.")
    ada.check_accessibility_in_light_and_dark()

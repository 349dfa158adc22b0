"""Searching from a browser: a plain GET form and a page of results, checked by axe-core."""

from playwright.sync_api import expect

from tests.browser.people import People, unique


def test_searching_finds_the_message_and_leads_to_it_in_its_room(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Search")
    ada.enter_room(room)
    word = unique("needle").replace("-", "")
    ada.send_message(f"the {word} is here")
    ada.send_message("nothing to find")

    ada.page.get_by_role("link", name="Search this room").click()
    ada.page.get_by_role("searchbox", name="Search messages").fill(word[:8])
    ada.page.get_by_role("button", name="Search", exact=True).click()

    expect(ada.page.get_by_role("heading", level=2)).to_have_text("1 message found")
    expect(ada.page.locator("mark")).to_have_text(word)
    ada.check_accessibility_in_light_and_dark()
    ada.page.get_by_role("link", name=f"in {room}").click()
    ada.expect_message(f"the {word} is here")

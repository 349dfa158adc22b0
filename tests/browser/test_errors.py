"""The chat's own error pages in a browser: read out as alerts, a way back, checked by axe-core."""

from playwright.sync_api import expect

from tests.browser.people import People


def test_a_missing_room_and_an_address_that_only_takes_a_form_get_pages_with_a_way_back(people: People) -> None:
    ada = people.signed_up("Ada")
    for address, heading in (("/rooms/no-such-room/", "Not found"), ("/conversations/", "Nothing to open here")):
        ada.visit(address)
        for width in (1280, 320):
            ada.page.set_viewport_size({"width": width, "height": 800})
            expect(ada.page.get_by_role("heading", level=1)).to_have_text(heading)
            expect(ada.page.get_by_role("alert")).to_be_visible()
            ada.check_accessibility_in_light_and_dark()
        ada.page.get_by_role("link", name="Back to your rooms").click()
        expect(ada.page).to_have_url(f"{people.base_url}/")

"""The whole journey with JavaScript off: every page works, only not live."""

import pytest
from playwright.sync_api import expect

from tests.browser.people import People, unique
from tests.visitors import Visitor

pytestmark = pytest.mark.browser


def test_the_whole_journey_without_javascript(people: People) -> None:
    nia = people.new(javascript_enabled=False)
    nia.sign_up("Nia")
    room = unique("No script")
    nia.page.get_by_label("What chat room would you like to enter?").fill(room)
    nia.page.get_by_role("button", name="Enter", exact=True).click()
    expect(nia.page.get_by_role("heading", level=1)).to_have_text(room)
    room_path = "/" + nia.page.url.split("/", 3)[3]

    # Others fill the room with more than a page of history meanwhile (each within the rate limit).
    for seeder in range(6):
        visitor = Visitor(people.base_url)
        visitor.sign_up()
        visitor.enter_room(room)
        for n in range(9):
            visitor.submit(room_path, {"body": f"seed {seeder * 9 + n}"})

    nia.page.get_by_role("link", name="Check for new messages").click()
    nia.expect_message("seed 53")
    assert "seed 3" not in nia.message_texts(), "the newest page holds the newest fifty"

    nia.page.get_by_role("link", name="Older messages").click()
    nia.expect_message("seed 0")
    nia.page.get_by_role("link", name="Newer messages").click()
    nia.expect_message("seed 53")
    expect(nia.page).to_have_url(people.base_url + room_path)

    nia.send_message_with_button("hello without script")
    expect(nia.page).to_have_url(people.base_url + room_path)  # posted, redirected, read back
    nia.expect_message("hello without script")

    nia.page.get_by_role("button", name="Leave room").click()
    nia.page.get_by_role("button", name="Leave", exact=True).click()  # it asks first
    expect(nia.page.get_by_role("heading", level=1)).to_have_text("Rooms")
    nia.sign_out()
    expect(nia.page.get_by_role("heading", level=1)).to_have_text("Sign in")

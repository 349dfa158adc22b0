"""Permalinks: a message's time opens the room around it, focused and marked; Copy link copies that address."""

from playwright.sync_api import expect

from tests.browser.people import People, unique


def test_a_message_s_permalink_opens_the_room_on_it_and_copy_link_copies_it(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Permalink")
    ada.enter_room(room)
    for text in ("before it", "the one", "after it"):
        ada.send_message(text)
    ada.context.grant_permissions(["clipboard-read", "clipboard-write"])

    ada.message("the one").locator("a[data-copy]").click()
    expect(ada.page.locator("#copy-status")).to_have_text("Link copied.")
    copied = ada.page.evaluate("navigator.clipboard.readText()")
    room_path = ada.page.url.removeprefix(people.base_url)
    message_pk = ada.message_id("the one").removeprefix("message-")
    assert copied == f"{people.base_url}{room_path}messages/{message_pk}/"

    ada.page.goto(copied)
    focused = ada.page.locator("#message-list > li:target > article")
    expect(focused).to_be_focused()
    expect(focused).to_contain_text("the one")
    assert "?around=" in ada.page.url
    ada.expect_live()  # the newest messages: the page around them is the live page
    ada.check_accessibility_in_light_and_dark()

"""Searching from a browser: a plain GET form and a page of results, checked by axe-core."""

from playwright.sync_api import expect

from tests.browser.people import People, unique


def test_searching_finds_the_message_and_leads_to_it_in_its_room(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Search")
    ada.enter_room(room)
    word = unique("needle").replace("-", "")
    ada.send_message(f"the **{word}** is in [the notes](https://example.com/notes), see `deploy.sh`")
    ada.send_message("nothing to find")

    ada.page.get_by_role("link", name="Search this room").click()
    ada.page.get_by_role("searchbox", name="Search messages").fill(word[:8])
    ada.page.get_by_role("button", name="Search", exact=True).click()

    expect(ada.page.get_by_role("heading", level=2)).to_have_text("1 message found")
    expect(ada.page.locator("mark")).to_have_text(word)
    # Quoted as the message reads, not with the marks it was typed with.
    expect(ada.page.locator("main blockquote")).to_have_text(f"the {word} is in the notes, see deploy.sh")
    for width in (1280, 320):
        ada.page.set_viewport_size({"width": width, "height": 800})
        ada.save_screenshot(f"search-results-{width}")
    ada.check_accessibility_in_light_and_dark()
    ada.page.get_by_role("link", name=f"in {room}").click()
    ada.expect_message(f"the {word} is in the notes, see deploy.sh")


def test_the_search_box_fills_its_field_and_is_drawn_as_the_other_text_fields_at_1280_and_320(people: People) -> None:
    """Not the browser's own small search box at the far end of the row from its button."""
    ada = people.signed_up("Ada")
    ada.visit("/search/")
    box = ada.page.get_by_role("searchbox", name="Search messages")
    for width in (1280, 320):
        ada.page.set_viewport_size({"width": width, "height": 800})
        drawn = box.evaluate(
            """(box) => ({box: box.getBoundingClientRect().width, field: box.closest('.field').clientWidth,
                font: getComputedStyle(box).fontSize, text: getComputedStyle(document.body).fontSize,
                radius: getComputedStyle(box).borderTopLeftRadius})"""
        )
        assert abs(drawn["box"] - drawn["field"]) < 1, (width, drawn)
        assert drawn["font"] == drawn["text"], (width, drawn)
        assert drawn["radius"] != "0px", (width, drawn)
    ada.check_accessibility_in_light_and_dark()

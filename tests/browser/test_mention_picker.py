"""@ in the composer offers the room's members: chosen with the keyboard, said to screen readers."""

from playwright.sync_api import expect

from tests.browser.people import People, unique


def test_typing_at_offers_the_members_and_enter_puts_the_chosen_one_in_the_text(people: People) -> None:
    ada = people.signed_up("Ada")
    ben = people.signed_up("Ben", display_name="Ben Brown")
    room = unique("Mentions")
    ada.enter_room(room)
    ben.enter_room(room)

    ada.composer.press_sequentially(f"hello @{ben.username[:5]}")
    offered = ada.page.get_by_role("listbox", name="People to mention")
    expect(offered).to_be_visible()
    option = offered.get_by_role("option", name=f"Ben Brown @{ben.username}")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(ada.composer).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "?")
    expect(ada.page.locator("#mention-status")).to_have_text(
        "1 person: press Enter to mention them, Escape to go on typing."
    )
    expect(ada.composer).to_be_focused()
    ada.check_accessibility_in_light_and_dark()

    ada.composer.press("Enter")
    expect(offered).to_be_hidden()
    expect(ada.composer).to_have_value(f"hello @{ben.username} ")
    ada.composer.press_sequentially("see this")
    ada.composer.press("Enter")

    ben.expect_message(f"hello @{ben.username} see this")
    expect(ben.message(f"hello @{ben.username} see this")).to_contain_text("Mentions you")


def test_escape_closes_the_offer_and_leaves_the_text_as_typed(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Escape")
    ada.enter_room(room)
    ben.enter_room(room)

    ada.composer.press_sequentially("@")
    offered = ada.page.get_by_role("listbox", name="People to mention")
    expect(offered.get_by_role("option")).to_have_count(2)
    ada.composer.press("ArrowDown")
    expect(offered.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    ada.composer.press("Escape")

    expect(offered).to_be_hidden()
    expect(ada.composer).to_have_value("@")
    assert ada.composer.get_attribute("aria-activedescendant") is None, "nobody is offered any more"


def test_a_username_typed_whole_is_sent_by_enter_not_offered(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Whole")
    ada.enter_room(room)
    ben.enter_room(room)

    ada.composer.press_sequentially(f"thanks @{ben.username}")
    ada.page.wait_for_timeout(500)  # longer than the box waits before asking for suggestions
    expect(ada.page.get_by_role("listbox", name="People to mention")).to_be_hidden()
    ada.composer.press("Enter")

    ben.expect_message(f"thanks @{ben.username}")

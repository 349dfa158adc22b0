"""Reactions in real browsers: live in every page, each reader's own pressed and named "you", caught up after a
reconnect, without JavaScript, and accessible (DESIGN.md §2, §3, §6, §7)."""

import pytest
from playwright.sync_api import expect

from tests.browser.people import People, unique

pytestmark = pytest.mark.browser

RECONNECT_TIMEOUT_MS = 15_000  # hx-ws retries after 0.5 s, 1 s, 2 s..., each give or take 30 %


def test_a_reaction_reaches_the_other_page_live_pressed_and_named_you_only_for_whoever_gave_it(
    people: People,
) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Lunch")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("lunch at noon?")
    bob.expect_message("lunch at noon?")

    bob.react("lunch at noon?", "👍")
    bob.expect_reaction("lunch at noon?", "👍", name="1 person reacted with 👍: you", pressed=True)
    ada.expect_reaction("lunch at noon?", "👍", name="1 person reacted with 👍: Bob", pressed=False)

    ada.react("lunch at noon?", "👍")  # her toggle of the same emoji
    ada.expect_reaction("lunch at noon?", "👍", name="2 people reacted with 👍: Bob and you", pressed=True)
    expect(ada.reaction("lunch at noon?", "👍")).to_be_focused()  # the focus stays on the button pressed
    bob.expect_reaction("lunch at noon?", "👍", name="2 people reacted with 👍: Ada and you", pressed=True)

    bob.react("lunch at noon?", "👍")  # taken back
    bob.expect_reaction("lunch at noon?", "👍", name="1 person reacted with 👍: Ada", pressed=False)
    ada.expect_reaction("lunch at noon?", "👍", name="1 person reacted with 👍: you", pressed=True)

    bob.react("lunch at noon?", "🍕")  # any single emoji, typed
    ada.expect_reaction("lunch at noon?", "🍕", name="1 person reacted with 🍕: Bob", pressed=False)
    expect(ada.messages).to_have_count(1)  # replaced in place, never appended again
    # The reader's own look pressed by the page's style, not only by the script's aria-pressed.
    border = "getComputedStyle(document.querySelector('.reaction button[value=\"🍕\"]')).borderTopWidth"
    assert bob.page.evaluate(border) == "2px"
    assert ada.page.evaluate(border) == "1px"


def test_a_bad_emoji_is_said_in_the_page_s_alert_region_and_nothing_changes(people: People) -> None:
    ada = people.signed_up("Ada", display_name="Ada")
    ada.enter_room(unique("Not emoji"))
    ada.send_message("react to me")

    ada.react("react to me", "lol")

    notice = ada.page.locator("#message-notice")
    expect(notice).to_have_attribute("role", "alert")
    expect(notice).to_have_text("A reaction is one emoji, such as 👍. Type or paste just one.")
    expect(ada.message("react to me").locator(".reaction")).to_have_count(0)


def test_a_reaction_the_server_refuses_is_said_in_the_page_s_alert_region_and_the_message_stays(
    people: People,
) -> None:
    ada = people.signed_up("Ada", display_name="Ada")
    ada.enter_room(unique("Refused"))
    ada.send_message("react while you can")
    other_tab = ada.context.new_page()
    other_tab.goto(ada.page.url)
    other_tab.get_by_role("button", name="Leave room").click()  # this page still offers reactions
    other_tab.get_by_role("button", name="Leave", exact=True).click()  # it asks first

    ada.react("react while you can", "👍")

    notice = ada.page.locator("#message-notice")
    expect(notice).to_have_text("This message cannot be changed: it was deleted, or it is not yours to change.")
    expect(ada.message("react while you can").locator(".reaction")).to_have_count(0)


def test_a_reaction_made_while_a_page_was_away_reaches_it_on_reconnecting(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Away")
    connection = bob.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("who is in?")
    bob.expect_message("who is in?")
    bob.react("who is in?", "👀")
    ada.expect_reaction("who is in?", "👀", name="1 person reacted with 👀: Bob", pressed=False)

    connection.drop()
    expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    ada.react("who is in?", "🎉")
    ada.react("who is in?", "👀")
    connection.restore()

    expect(bob.page.get_by_role("status")).to_have_text("Connected.", timeout=RECONNECT_TIMEOUT_MS)
    bob.expect_reaction("who is in?", "🎉", name="1 person reacted with 🎉: Ada", pressed=False)
    bob.expect_reaction("who is in?", "👀", name="2 people reacted with 👀: Ada and you", pressed=True)
    bob.expect_messages(["who is in?"])


def test_reacting_without_javascript(people: People) -> None:
    nia = people.signed_up("Nia", display_name="Nia", javascript_enabled=False)
    ada = people.signed_up("Ada", display_name="Ada")
    room = unique("No script")
    nia.enter_room(room)
    ada.enter_room(room)
    ada.send_message("works without scripts?")
    nia.page.reload()

    nia.react("works without scripts?", "❤️")
    nia.expect_reaction("works without scripts?", "❤️", name="1 person reacted with ❤️: you", pressed=True)
    ada.expect_reaction("works without scripts?", "❤️", name="1 person reacted with ❤️: Nia", pressed=False)

    message = nia.message("works without scripts?")
    message.locator("summary", has_text="Add reaction").click()
    message.get_by_role("textbox", name="Any emoji", exact=True).fill("not an emoji")
    message.get_by_role("button", name="React", exact=True).click()
    expect(nia.page).to_have_title(f"Error: React to a message · {room} · Chat")
    field = nia.page.get_by_role("textbox", name="Any emoji", exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(nia.page.get_by_role("alert")).to_have_text("A reaction is one emoji, such as 👍. Type or paste just one.")
    field.fill("🎉")
    nia.page.get_by_role("button", name="React", exact=True).click()
    expect(nia.page.get_by_role("log")).to_be_visible()
    nia.expect_reaction("works without scripts?", "🎉", name="1 person reacted with 🎉: you", pressed=True)

    nia.react("works without scripts?", "❤️")  # taken back with the same button
    expect(nia.reaction("works without scripts?", "❤️")).to_have_count(0)
    expect(ada.reaction("works without scripts?", "❤️")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 320])
def test_a_room_with_reactions_and_the_open_reaction_list_are_accessible(people: People, width: int) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    ada.page.set_viewport_size({"width": width, "height": 800})
    room = unique("Feelings")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("we shipped it")
    bob.send_message("finally")
    for emoji in ("🎉", "❤️"):
        bob.react("we shipped it", emoji)
    ada.react("we shipped it", "🎉")
    ada.expect_reaction("we shipped it", "🎉", name="2 people reacted with 🎉: Bob and you", pressed=True)
    ada.expect_reaction("we shipped it", "❤️", name="1 person reacted with ❤️: Bob", pressed=False)

    ada.check_accessibility_in_light_and_dark()
    ada.save_screenshot(f"room-reactions-{width}")
    ada.message("finally").locator("summary", has_text="Add reaction").click()
    expect(ada.message("finally").get_by_role("button", name="React with 👀", exact=True)).to_be_visible()
    ada.check_accessibility_in_light_and_dark()
    ada.save_screenshot(f"room-reaction-list-{width}")
    assert ada.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    # Someone reading the open room without being a member sees who reacted, with nothing to press.
    cat = people.signed_up("Cat", display_name="Cat")
    cat.page.set_viewport_size({"width": width, "height": 800})
    cat.open_room(ada.page.url)
    reactions = cat.message("we shipped it").locator(".reaction")
    expect(reactions).to_have_text(["🎉 2 2 people reacted with 🎉: Bob and Ada", "❤️ 1 1 person reacted with ❤️: Bob"])
    expect(cat.page.get_by_role("button", name="Add reaction")).to_have_count(0)
    cat.check_accessibility_in_light_and_dark()

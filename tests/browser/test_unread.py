"""Unread: counted per member and room, marked read by opening the room and by reading, said after a reconnect."""

import re

from playwright.sync_api import expect

from tests.browser.people import People, unique

RECONNECT_TIMEOUT_MS = 15_000


def unread_in(page_text: str, room: str) -> str:
    """The unread words beside `room` in a list of rooms (the lobby, the room page's own list)."""
    match = re.search(rf"{re.escape(room)}\s*(?:Private\s*)?(\d+ unread(?:, \d+ mentions?)?)?", page_text)
    return (match.group(1) or "") if match else ""


def test_what_came_while_away_is_counted_shown_below_a_divider_and_read_by_opening_the_room(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Unread")
    ada.enter_room(room)
    ben.enter_room(room)
    ada.send_message("seen by ben")
    ben.expect_message("seen by ben")
    ben.page.wait_for_timeout(2_500)  # longer than the page waits before it tells the server it was read

    ben.visit("/")
    for text in ("one", f"two, @{ben.username}", "three"):
        ada.send_message(text)

    ben.page.reload()
    mine = ben.page.get_by_role("region", name="Your rooms")
    expect(mine.get_by_role("listitem").filter(has_text=room)).to_contain_text("3 unread, 1 mention")
    ben.check_accessibility_in_light_and_dark()

    mine.get_by_role("link", name=room).click()
    ben.expect_live()
    divider = ben.page.get_by_role("heading", name="New messages")
    expect(divider).to_be_visible()
    order = ben.page.evaluate(
        """() => [...document.querySelectorAll('#message-list > li')].map(
            (li) => li.classList.contains('unread-divider') ? 'DIVIDER' : li.querySelector('.body').innerText)"""
    )
    assert order == ["seen by ben", "DIVIDER", "one", f"two, @{ben.username}", "three"]
    jump = ben.page.get_by_role("link", name="Jump to the first unread message")
    expect(jump).to_have_attribute("href", "#new-messages")
    ben.check_accessibility_in_light_and_dark()

    ben.visit("/")
    expect(ben.page.get_by_role("region", name="Your rooms")).not_to_contain_text("unread")


def test_what_was_seen_just_before_leaving_the_page_is_read_all_the_same(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Leaving")
    ada.enter_room(room)
    ben.enter_room(room)
    ada.send_message("seen on the way out")
    ben.expect_message("seen on the way out")
    ben.page.wait_for_timeout(500)  # seen (the observer's next frame), not yet told: it waits 1.5 s

    ben.visit("/")  # the page tells the server on its way out, beside the lobby's request
    ben.page.wait_for_timeout(500)
    ben.page.reload()

    expect(ben.page.get_by_role("region", name="Your rooms")).not_to_contain_text("unread")


def test_a_message_that_arrives_in_view_is_read_and_one_in_a_hidden_tab_waits_until_it_is_shown(
    people: People,
) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Reading")
    ada.enter_room(room)
    ben.enter_room(room)
    lobby = ben.context.new_page()  # Ben's second tab

    ada.send_message("read as it arrives")
    ben.expect_message("read as it arrives")
    ben.page.wait_for_timeout(2_500)  # longer than the page waits before it tells the server
    lobby.goto("/")
    expect(lobby.get_by_role("region", name="Your rooms")).not_to_contain_text("unread")

    ben.hide_tab()
    ada.send_message("arrives while hidden")
    ben.expect_message("arrives while hidden")
    ben.page.wait_for_timeout(2_500)  # longer than the page waits before it tells the server
    lobby.reload()
    expect(lobby.get_by_role("region", name="Your rooms")).to_contain_text("1 unread")

    ben.show_tab()
    lobby.wait_for_timeout(2_500)
    lobby.reload()
    expect(lobby.get_by_role("region", name="Your rooms")).not_to_contain_text("unread")


def test_after_a_reconnect_that_brought_messages_the_announcer_says_how_many_once(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Away")
    ada.enter_room(room)
    connection = ben.use_slow_connection()
    ben.enter_room(room)
    ben.listen_to_announcer()

    connection.drop()
    for text in ("first while away", "second while away"):
        ada.send_message(text)
    connection.restore()

    ben.expect_message("second while away")
    ben.wait_until("() => window.__announced.length > 0", timeout_ms=RECONNECT_TIMEOUT_MS)
    ben.page.wait_for_timeout(1_000)
    assert ben.announcements() == ["2 new messages while you were away"]

"""News of one's other rooms, live on whatever page of the chat one has open: counts and mentions."""

from playwright.sync_api import expect

from tests.browser.people import People, unique


def test_a_page_elsewhere_counts_new_messages_live_and_tells_of_a_mention(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("News")
    ada.enter_room(room)
    ben.enter_room(room)
    ben.visit("/")
    listed = ben.page.get_by_role("listitem").filter(has=ben.page.get_by_role("link", name=room, exact=True))
    expect(listed).not_to_contain_text("unread")
    ben.page.wait_for_timeout(500)  # the news socket opens after the page

    ada.send_message("anyone there?")
    expect(listed).to_contain_text("1 unread")
    ada.send_message(f"@{ben.username} look at this")
    expect(listed).to_contain_text("2 unread, 1 mention")

    notice = ben.page.locator("#news-notice")
    expect(notice).to_have_attribute("aria-live", "polite")
    mention = notice.get_by_role("link", name=f"{ada.display_name} mentioned you in {room}")
    expect(mention).to_be_visible()
    ben.check_accessibility_in_light_and_dark()

    notice.get_by_role("button", name="Dismiss this notice").click()
    expect(notice).to_be_empty()
    ada.send_message(f"@{ben.username} again")
    expect(mention).to_be_visible()

    mention.click()
    expect(ben.page.get_by_role("heading", level=1)).to_have_text(room)
    expect(ben.message(f"@{ben.username} look at this")).to_be_visible()


def test_my_own_messages_and_a_muted_room_are_not_counted(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    loud, muted = unique("Loud"), unique("Muted")
    for room in (loud, muted):
        ada.enter_room(room)
        ben.enter_room(room)
    ben.page.get_by_label("Nothing").check()
    ben.page.get_by_role("button", name="Save notification level").click()
    ben.enter_room(loud)
    ben.send_message("my own")
    other_tab = ben.another_tab()
    other_tab.visit("/")
    other_tab.page.wait_for_timeout(500)

    ben.send_message("my own again")
    ada.open_room(f"/rooms/{muted.lower()}/")
    ada.send_message("nobody hears this")
    ada.enter_room(loud)
    ada.send_message("but this")

    listed = other_tab.page.get_by_role("listitem")
    expect(listed.filter(has=other_tab.page.get_by_role("link", name=loud, exact=True))).to_contain_text("1 unread")
    expect(listed.filter(has=other_tab.page.get_by_role("link", name=muted, exact=True))).not_to_contain_text("unread")


def test_reading_a_room_in_one_tab_clears_its_count_in_the_others(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Cleared")
    ada.enter_room(room)
    ben.enter_room(room)
    ben.visit("/")
    for text in ("one", "two"):
        ada.send_message(text)
    ben.page.reload()
    listed = ben.page.get_by_role("listitem").filter(has=ben.page.get_by_role("link", name=room, exact=True))
    expect(listed).to_contain_text("2 unread")
    ben.page.wait_for_timeout(500)

    other_tab = ben.another_tab()
    other_tab.open_room(f"/rooms/{room.lower()}/")

    expect(listed).not_to_contain_text("unread")


def test_a_conversation_started_with_me_shows_up_in_my_open_page_with_its_count(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    ben.visit("/")
    conversations = ben.page.get_by_role("region", name="Your conversations")
    empty = conversations.get_by_text("No direct conversations yet.")
    expect(empty).to_be_visible()
    ben.page.wait_for_timeout(500)  # the news socket opens after the page

    ada.visit("/")
    ada.page.get_by_label("Start a conversation with").fill(ben.username)
    ada.page.get_by_role("button", name="Start conversation").click()
    expect(ada.page.get_by_role("heading", level=1)).to_contain_text(ben.display_name)
    ada.expect_live()
    ada.send_message("are you around?")

    listed = conversations.get_by_role("listitem").filter(has=ben.page.get_by_role("link", name=ada.display_name))
    expect(listed).to_contain_text("1 unread")
    expect(empty).to_be_hidden()
    ben.check_accessibility_in_light_and_dark()
    listed.get_by_role("link").click()
    expect(ben.message("are you around?")).to_be_visible()

"""Who is here and who is typing, in real browsers: live in every page, never read out unless a reader asks."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.people import People, Person, unique

pytestmark = pytest.mark.browser

# Each item of the list as it reads: display name, and @username where it differs.
LISTED = "() => [...document.querySelectorAll('#people-here-list > li')].map((li) => li.innerText)"


def listed(person: Person, name: str) -> str:
    """How the list (and the typing line) names `person`: as messages do."""
    return f"{name} @{person.username}"


def expect_here(page: Page, count: str, names: list[str]) -> None:
    """The region's heading says the count; the list it names holds exactly these people, in this order."""
    expect(page.get_by_role("heading", name=count, exact=True)).to_be_visible()
    people_list = page.get_by_role("list", name=count, exact=True)
    expect(people_list.get_by_role("listitem")).to_have_text(names)


def typing_line(person: Person) -> str:
    return str(person.page.locator("#typing-status").text_content())


def start_typing(person: Person, text: str = "hel") -> None:
    """Type into the message box without sending, key by key, as a person does."""
    person.composer.press_sequentially(text)


def choose_to_hear_who_is_typing(person: Person) -> None:
    person.visit("/accounts/settings/")
    person.page.get_by_label("Announce who is typing").check()
    person.page.get_by_role("button", name="Save settings").click()
    expect(person.page.get_by_role("status")).to_have_text("Your settings are saved.")


def test_who_is_here_is_a_list_named_by_its_count_that_follows_people_coming_and_going(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Here")
    ada.enter_room(room)
    expect_here(ada.page, "1 person here", [listed(ada, "Ada")])
    ada_item = ada.page.locator("#people-here-list > li").first.element_handle()

    bob.enter_room(room)
    expect_here(ada.page, "2 people here", [listed(ada, "Ada"), listed(bob, "Bob")])
    expect_here(bob.page, "2 people here", [listed(ada, "Ada"), listed(bob, "Bob")])

    second_tab = bob.context.new_page()
    second_tab.goto(bob.page.url)
    expect(second_tab.get_by_role("status")).to_have_text("Connected.")
    bob.visit("/")  # his first tab leaves the room; the second is still there
    ada.page.wait_for_timeout(500)
    assert ada.page.evaluate(LISTED) == [listed(ada, "Ada"), listed(bob, "Bob")], "listed once, while a tab is open"

    second_tab.close()
    expect_here(ada.page, "1 person here", [listed(ada, "Ada")])
    assert ada_item.evaluate("(li) => li.isConnected"), "one item in or out at a time: the list is never redrawn"
    expect(ada.page.locator("#people-here")).not_to_have_attribute("aria-live", re.compile("."))


def test_someone_typing_is_shown_to_the_others_and_not_to_them_until_their_message_arrives(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Typing")
    ada.enter_room(room)
    bob.enter_room(room)

    start_typing(bob, "on my way")
    expect(ada.page.locator("#typing-status")).to_have_text(f"{listed(bob, 'Bob')} is typing…")
    assert typing_line(bob) == "", "one's own typing is not shown to one"

    bob.composer.press("Enter")
    ada.expect_message("on my way")
    expect(ada.page.locator("#typing-status")).to_have_text("", timeout=1_000)  # at once, not seconds later


def test_typing_is_gone_a_few_seconds_after_the_last_keystroke(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Pause")
    ada.enter_room(room)
    bob.enter_room(room)

    start_typing(bob, "hmm")
    expect(ada.page.locator("#typing-status")).to_have_text(f"{listed(bob, 'Bob')} is typing…")
    ada.page.wait_for_timeout(2_000)
    assert typing_line(ada), "still shown two seconds after"
    expect(ada.page.locator("#typing-status")).to_have_text("", timeout=6_000)


def test_two_typists_are_named_and_more_are_several(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    cyd, dan = people.signed_up("Cyd", display_name="Cyd"), people.signed_up("Dan", display_name="Dan")
    room = unique("Crowd")
    for person in (ada, bob, cyd, dan):
        person.enter_room(room)
    line = dan.page.locator("#typing-status")

    start_typing(ada)
    expect(line).to_have_text(f"{listed(ada, 'Ada')} is typing…")
    start_typing(bob)
    expect(line).to_have_text(f"{listed(ada, 'Ada')} and {listed(bob, 'Bob')} are typing…")
    start_typing(cyd)
    expect(line).to_have_text("Several people are typing…")
    expect(line.locator("bdi")).to_have_count(0)
    # Each page leaves its own person out.
    two_others = f"{listed(bob, 'Bob')} and {listed(cyd, 'Cyd')} are typing…"
    expect(ada.page.locator("#typing-status")).to_have_text(two_others)


def test_typing_is_not_read_out_unless_the_reader_chose_so_and_then_politely(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    cyd = people.signed_up("Cyd", display_name="Cyd")
    choose_to_hear_who_is_typing(cyd)
    room = unique("Heard typing")
    for person in (ada, bob, cyd):
        person.enter_room(room)
        person.listen_to_announcer()

    start_typing(bob)

    said = f"{listed(bob, 'Bob')} is typing…"
    expect(ada.page.locator("#typing-status")).to_have_text(said)
    expect(cyd.page.locator("#typing-status")).to_have_text(said)
    expect(cyd.page.locator("#announcer")).to_have_text(said)
    expect(cyd.page.locator("#announcer")).to_have_attribute("aria-live", "polite")
    ada.page.wait_for_timeout(1_000)
    assert ada.announcements() == [], "not read out by default"
    start_typing(bob, "lo")  # typing on is not news
    bob.page.wait_for_timeout(3_500)
    start_typing(bob, "!")
    cyd.page.wait_for_timeout(1_000)
    assert cyd.announcements() == [said], "said once, not again and again"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_room_with_people_here_and_someone_typing_passes_axe_in_light_and_dark(
    people: People, language: str
) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Axe")
    ada.enter_room(room)
    bob.enter_room(room)
    if language == "ko":
        ada.open_menu()
        ada.page.get_by_label("Language").select_option("ko")
        ada.page.get_by_role("button", name="Change language").click()
        expect(ada.page.get_by_role("status")).to_have_text("연결되었습니다.")

    start_typing(bob)

    expected = "2 people here" if language == "en" else "2명 접속 중"
    typing = "is typing…" if language == "en" else "님이 입력하고 있습니다…"
    expect(ada.page.get_by_role("heading", name=expected)).to_be_visible()
    expect(ada.page.locator("#typing-status")).to_contain_text(typing)
    ada.check_accessibility_in_light_and_dark()
    ada.save_screenshot(f"room-people-here-and-typing-{language}")


def test_someone_reloading_their_page_stays_listed_once_in_the_others_pages(people: People) -> None:
    """A reload is their socket closing and a new one opening soon after: their item removed and appended again
    (in one frame or two, settings.PRESENCE_COALESCE), never left out and never listed twice."""
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Reload")
    ada.enter_room(room)
    bob.enter_room(room)
    expect_here(ada.page, "2 people here", [listed(ada, "Ada"), listed(bob, "Bob")])

    for _ in range(3):
        bob.page.reload()
        bob.expect_live()
        ada.page.wait_for_timeout(600)  # past the window: whatever the reload sent has arrived
        assert ada.page.evaluate(LISTED) == [listed(ada, "Ada"), listed(bob, "Bob")]
        expect_here(ada.page, "2 people here", [listed(ada, "Ada"), listed(bob, "Bob")])

"""The chat's layout (issue #13): one full-height page of a sidebar and the room, a header with one menu,
messages that read as a chat (runs, days, one's own marked), a composer that grows and counts, at 1280 and
320 pixels, light and dark, English and Korean."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests import servers
from tests.browser.people import People, Person, unique
from tests.visitors import Visitor

pytestmark = pytest.mark.browser

# A <summary> is a disclosure button to assistive technology; Playwright's roles name it a group's label only.
SIDEBAR_BUTTON = "#sidebar > summary"

NO_SIDEWAYS_SCROLLING = "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"


def sidebar_item(person: Person, room: str) -> str:
    """The id of the sidebar's item for `room` (sidebar-room-<pk>)."""
    item = person.page.locator("#sidebar li[id^=sidebar-room-]").filter(has_text=room)
    expect(item).to_have_count(1)
    return str(item.get_attribute("id"))


def fill_room(people: People, room: str, count: int) -> str:
    """`count` messages from other people (each within the rate limit), "seed 0" the oldest; the room's path."""
    path = ""
    for start in range(0, count, 9):
        visitor = Visitor(people.base_url)
        visitor.sign_up()
        path = visitor.enter_room(room)
        for n in range(start, min(start + 9, count)):
            visitor.submit(path, {"body": f"seed {n}"})
    return path


def test_the_sidebar_lists_my_rooms_with_what_i_have_not_read_and_the_ways_to_others(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    busy, quiet = unique("Busy"), unique("Quiet")
    ben.enter_room(busy)
    ben.enter_room(quiet)
    ada.enter_room(busy)
    ada.send_message("one")
    ada.send_message(f"two, @{ben.username}")

    ben.page.reload()
    ben.expect_live()
    sidebar = ben.page.get_by_role("navigation", name="Rooms and conversations")
    busy_item = sidebar.locator(f"#{sidebar_item(ben, busy)}")
    expect(busy_item).to_contain_text("2 unread, 1 mention")
    expect(busy_item.locator("[id^=unread-]")).to_have_text("2 unread, 1 mention")
    expect(sidebar.get_by_role("link", name=quiet)).to_have_attribute("aria-current", "page")
    expect(sidebar.get_by_role("region", name="Your conversations")).to_be_visible()
    for way in ("Find a room to join", "Start a room", "Start a conversation"):
        expect(sidebar.get_by_role("link", name=way)).to_be_visible()

    sidebar.get_by_role("link", name=busy).click()
    ben.expect_live()
    ben.expect_message("one")
    expect(ben.page.get_by_role("heading", level=1)).to_have_text(busy)
    ben.visit("/")  # the lobby has the same sidebar
    lobby_sidebar = ben.page.get_by_role("navigation", name="Rooms and conversations")
    expect(lobby_sidebar.get_by_role("link", name=busy)).to_be_visible()


def test_on_a_phone_the_sidebar_folds_behind_a_labelled_button_and_nothing_scrolls_sideways(people: People) -> None:
    long_name = "W" * 50  # one unbroken word, as long as a display name may be
    ada = people.signed_up("Ada", display_name=long_name)
    ada.page.set_viewport_size({"width": 320, "height": 700})
    room = unique("R" * 80)  # as long as a room's name may be, unbroken
    ada.enter_room(room)
    ada.send_message("x" * 300)

    sidebar_link = ada.page.get_by_role("navigation", name="Rooms and conversations").get_by_role("link", name=room)
    expect(sidebar_link).to_be_hidden()
    toggle = ada.page.locator(SIDEBAR_BUTTON)
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Rooms and conversations")
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)
    header = ada.page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] < 700 / 6, "the header takes a sliver, not a third"

    toggle.click()
    expect(sidebar_link).to_be_visible()
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)
    ada.check_accessibility_in_light_and_dark()
    toggle.click()
    expect(sidebar_link).to_be_hidden()
    expect(ada.composer).to_be_in_viewport()


def test_the_sidebar_folds_without_javascript_too(people: People) -> None:
    nia = people.signed_up("Nia", javascript_enabled=False)
    nia.page.set_viewport_size({"width": 320, "height": 700})
    room = unique("Folded")
    nia.enter_room(room)
    sidebar_link = nia.page.get_by_role("navigation", name="Rooms and conversations").get_by_role("link", name=room)
    expect(sidebar_link).to_be_hidden()
    nia.page.locator(SIDEBAR_BUTTON).click()
    expect(sidebar_link).to_be_visible()
    nia.page.set_viewport_size({"width": 1280, "height": 700})
    nia.page.reload()
    expect(sidebar_link).to_be_visible()  # a wide window shows it, without a button
    expect(nia.page.locator(SIDEBAR_BUTTON)).to_be_hidden()


def test_the_header_menu_holds_the_account_settings_language_and_sign_out_and_works_by_keyboard(
    people: People,
) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Menu"))
    menu_button = ada.menu_button
    expect(menu_button).to_have_text(re.compile(r"Menu$"))
    sign_out = ada.page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()

    menu_button.focus()
    ada.page.keyboard.press("Enter")
    for link in ("Search", "Mentions", "Settings"):
        expect(ada.page.get_by_role("link", name=link, exact=True)).to_be_visible()
    expect(ada.page.get_by_label("Language")).to_be_visible()
    expect(sign_out).to_be_visible()
    expect(ada.menu).to_contain_text(f"Signed in as {ada.username}")
    ada.check_accessibility_in_light_and_dark()
    ada.page.keyboard.press("Tab")
    expect(ada.page.get_by_role("link", name="Search", exact=True)).to_be_focused()
    ada.page.keyboard.press("Escape")
    expect(sign_out).to_be_hidden()
    expect(menu_button).to_be_focused()

    ada.page.keyboard.press(" ")
    expect(sign_out).to_be_visible()
    sign_out.focus()
    ada.page.keyboard.press("Enter")
    expect(ada.page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_a_quick_run_of_one_author_shows_the_name_once_and_each_message_still_names_its_author(
    people: People,
) -> None:
    ada, ben = people.signed_up("Ada", display_name="Ada"), people.signed_up("Ben", display_name="Ben")
    room = unique("Runs")
    ada.enter_room(room)
    ben.enter_room(room)
    ada.send_message("first of a run")
    ada.send_message("second of a run")
    ben.send_message("ben breaks it")
    ada.send_message("ada again")

    for page_state in ("live", "reloaded"):
        for person in (ada, ben):
            if page_state == "reloaded":
                person.page.reload()
                person.expect_live()
            person.expect_message("ada again")
            names_shown = person.page.evaluate(
                """() => [...document.querySelectorAll('#message-list > li.message')].map((li) => {
                  const box = li.querySelector('.author').getBoundingClientRect();
                  return box.width > 1 && box.height > 1;
                })"""
            )
            assert names_shown == [True, False, True, True], page_state
            for text, name in (("first of a run", "Ada"), ("second of a run", "Ada"), ("ben breaks it", "Ben")):
                expect(person.message(text).get_by_role("article")).to_have_accessible_name(re.compile(f"^{name} @"))


def test_one_s_own_messages_and_those_that_mention_one_are_marked_in_words(people: People) -> None:
    ada, ben = people.signed_up("Ada", display_name="Ada"), people.signed_up("Ben", display_name="Ben")
    room = unique("Marks")
    ada.enter_room(room)
    ben.enter_room(room)
    ada.send_message(f"hello @{ben.username}, see https://example.com/a")
    ben.expect_message(f"hello @{ben.username}, see https://example.com/a")

    own = ada.message(f"hello @{ben.username}, see https://example.com/a").get_by_role("article")
    expect(own).to_have_accessible_name(re.compile(r"You$"))
    mentioning = ben.message(f"hello @{ben.username}, see https://example.com/a").get_by_role("article")
    expect(mentioning).to_have_accessible_name(re.compile(r"Mentions you$"))
    expect(mentioning.get_by_role("link", name="https://example.com/a")).to_be_visible()


def test_days_are_told_apart_by_separators_before_the_first_message_of_each(
    people: People, live_database_url: str
) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Days"))
    for text in ("three days ago", "yesterday", "today"):
        ada.send_message(text)
    servers.backdate_message(live_database_url, "three days ago", days=3)
    servers.backdate_message(live_database_url, "yesterday", days=1)

    ada.page.reload()
    ada.expect_live()
    order = ada.page.evaluate(
        """() => [...document.querySelectorAll('#message-list > li')].map((li) =>
            li.matches('.day-divider') ? `DAY ${li.innerText}` : li.querySelector('.body').innerText)"""
    )
    assert order[1:] == ["three days ago", "DAY Yesterday", "yesterday", "DAY Today", "today"]
    assert re.match(r"DAY \w+\.? \d+, \d{4}$", order[0]), order[0]
    expect(ada.page.get_by_role("log").get_by_role("heading", name="Yesterday", level=2)).to_be_visible()
    ada.check_accessibility()


def test_days_are_the_reader_s_own_where_they_live_not_the_server_s(people: People, live_database_url: str) -> None:
    """Two messages on one day in UTC, 11:00 and 13:00, are on two days twelve hours east of it."""
    ada = people.signed_up("Ada")
    ben = people.signed_up("Ben", timezone_id="Etc/GMT-12")  # UTC+12 (the sign is POSIX's)
    room = unique("Zones")
    ada.enter_room(room)
    for text in ("late that evening", "early next morning", "now"):
        ada.send_message(text)
    day = datetime.now(UTC).date() - timedelta(days=3)
    servers.backdate_message(live_database_url, "late that evening", at=datetime.combine(day, time(11), UTC))
    servers.backdate_message(live_database_url, "early next morning", at=datetime.combine(day, time(13), UTC))

    ben.enter_room(room)
    order = ben.page.evaluate(
        """() => [...document.querySelectorAll('#message-list > li:not(.unread-divider)')].map((li) =>
            li.matches('.day-divider')
                ? `DAY ${li.querySelector('time').dateTime}`
                : li.querySelector('.body').innerText)"""
    )
    next_day, their_today = day + timedelta(days=1), (datetime.now(UTC) + timedelta(hours=12)).date()
    assert order == [
        f"DAY {day}",
        "late that evening",
        f"DAY {next_day}",
        "early next morning",
        f"DAY {their_today}",
        "now",
    ]
    headings = ben.page.locator(".day-divider").get_by_role("heading", level=2)
    expect(headings).to_have_text([re.compile(r"^\w+ \d+, \d{4}$")] * 2 + ["Today"])
    ben.check_accessibility()


def test_the_composer_grows_with_its_text(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Growing"))
    empty = ada.composer.bounding_box()
    ada.composer.fill("one\ntwo\nthree\nfour\nfive")
    grown = ada.composer.bounding_box()
    assert empty is not None
    assert grown is not None
    assert grown["height"] > empty["height"] * 2
    ada.composer.fill("\n".join(["line"] * 200))
    tall = ada.composer.bounding_box()
    assert tall is not None
    assert tall["height"] < 720 * 0.45, "it grows up to a limit, then scrolls"


def test_a_counter_appears_near_the_length_limit_and_is_read_out_only_at_thresholds(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Counting"))
    counter = ada.page.locator("#composer-counter")
    spoken = ada.page.locator("#composer-counter-status")
    expect(counter).to_be_hidden()

    ada.composer.fill("x" * 3_500)
    expect(counter).to_be_hidden()
    ada.composer.fill("x" * 3_650)
    expect(counter).to_have_text("Characters left: 350")
    expect(spoken).to_have_text("Characters left: 350")
    expect(spoken).to_have_attribute("aria-live", "polite")
    ada.composer.press("x")
    expect(counter).to_have_text("Characters left: 349")
    expect(spoken).to_have_text("Characters left: 350")  # not read out at every key
    ada.composer.fill("x" * 4_010)
    expect(counter).to_have_text("Characters over the limit: 10")
    expect(spoken).to_have_text("Characters over the limit: 10")
    ada.check_accessibility()


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_pasting_5000_characters_keeps_them_all_and_sending_them_is_refused_next_to_the_box(
    people: People, javascript_enabled: bool
) -> None:
    ada = people.signed_up("Ada", javascript_enabled=javascript_enabled)
    ada.enter_room(unique("Long"))
    too_long = "y" * 5_000
    assert ada.composer.get_attribute("maxlength") is None

    ada.composer.focus()
    ada.page.keyboard.insert_text(too_long)  # as a paste does
    expect(ada.composer).to_have_value(too_long)
    if javascript_enabled:
        ada.composer.press("Enter")
    else:
        ada.page.get_by_role("button", name="Send", exact=True).click()

    expect(ada.composer_error).to_have_text("A message can be at most 4000 characters long; this one has 5000.")
    expect(ada.composer).to_have_value(too_long)
    expect(ada.composer).to_have_attribute("aria-invalid", "true")
    assert ada.shown_messages() == []


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_the_room_opens_at_its_newest_message(people: People, javascript_enabled: bool) -> None:
    ada = people.signed_up("Ada", javascript_enabled=javascript_enabled)
    room = unique("Newest")
    path = fill_room(people, room, 40)

    ada.open_room(path)

    expect(ada.message("seed 39")).to_be_in_viewport()
    expect(ada.message("seed 0")).not_to_be_in_viewport()
    expect(ada.page.get_by_role("log")).to_be_in_viewport()
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)


def test_the_log_is_no_tab_stop_that_leads_nowhere(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Stops"))
    ada.send_message("reachable")
    log = ada.page.get_by_role("log")
    expect(log).not_to_have_attribute("tabindex", re.compile("."))
    expect(log.get_by_role("article")).to_have_attribute("tabindex", "-1")  # reached by the skip link and arrows
    ada.check_accessibility()


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_room_is_accessible_at_1280_and_320_in_light_and_dark_in_english_and_korean(
    people: People, width: int, language: str
) -> None:
    ada, ben = people.signed_up("Ada", display_name="Ada"), people.signed_up("Ben", display_name="Ben")
    room = unique("Looks")
    for person in (ada, ben):
        person.page.set_viewport_size({"width": width, "height": 800})
        if language == "ko":
            person.choose_language("ko")
        person.page.locator("form.enter-room input[type=text]").fill(room)
        person.page.keyboard.press("Enter")
        expect(person.page.get_by_role("heading", level=1)).to_have_text(room)
        person.page.wait_for_selector("#connection-status[data-state=open]")
    for person, text in (
        (ben, "Hello! Here is the plan: https://example.com/plan"),
        (ben, "And a second thought, right after."),
        (ada, f"@{ben.username} looks good to me"),
    ):
        person.page.locator("#id_body").fill(text)  # the box's name is in the page's language
        person.page.locator("#id_body").press("Enter")
        ada.expect_message(text)
    ada.page.reload()
    ada.page.wait_for_selector("#connection-status[data-state=open]")

    ada.check_accessibility_in_light_and_dark()
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)
    for scheme in ("light", "dark"):
        ada.page.emulate_media(color_scheme=scheme)
        ada.save_screenshot(f"layout-room-{width}-{language}-{scheme}")
    ada.page.emulate_media(color_scheme="light")
    if width == 320:
        ada.page.locator(SIDEBAR_BUTTON).click()
        ada.check_accessibility_in_light_and_dark()
        ada.save_screenshot(f"layout-room-{width}-{language}-sidebar-open")


def test_at_400_percent_zoom_the_room_scrolls_as_a_page_with_everything_in_reach(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Zoomed")
    fill_room(people, room, 12)
    ada.page.set_viewport_size({"width": 320, "height": 180})  # 1280 × 720 at 400%
    ada.enter_room(room)
    ada.page.reload()
    ada.expect_live()

    # The page opened at its foot: the message box (it has the focus) and, just above it, the newest message.
    expect(ada.composer).to_be_focused()
    expect(ada.composer).to_be_in_viewport()
    assert ada.page.evaluate("scrollY") > 0
    newest, box = ada.message("seed 11").bounding_box(), ada.page.locator("#composer").bounding_box()
    assert newest is not None
    assert box is not None
    assert 0 <= box["y"] - (newest["y"] + newest["height"]) < 180
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)
    ada.page.locator("#sidebar > summary").click()
    expect(ada.page.get_by_role("navigation", name="Rooms and conversations").get_by_role("link").first).to_be_visible()
    ada.check_accessibility()


def test_a_message_arriving_on_a_new_day_comes_after_its_today_divider(people: People, live_database_url: str) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Midnight")
    ada.enter_room(room)
    ben.enter_room(room)
    ada.send_message("said yesterday")
    servers.backdate_message(live_database_url, "said yesterday", days=1)
    ben.page.reload()
    ben.expect_live()

    ada.send_message("said today")
    ben.expect_message("said today")
    order = ben.page.evaluate(
        """() => [...document.querySelectorAll('#message-list > li:not(.unread-divider)')].map((li) =>
            li.matches('.day-divider') ? `DAY ${li.innerText}` : li.querySelector('.body').innerText)"""
    )
    assert order == ["DAY Yesterday", "said yesterday", "DAY Today", "said today"]
    ben.check_accessibility()


def test_the_keyboard_help_is_a_disclosure_beside_the_composer_not_above_it(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Help"))
    help_button = ada.page.locator("#composer details.keyboard-help > summary")
    expect(help_button).to_have_text("Keyboard shortcuts")
    shortcuts = ada.page.get_by_text("Alt+Up Arrow goes to the messages", exact=False)
    expect(shortcuts).to_be_hidden()
    box, button = ada.composer.bounding_box(), help_button.bounding_box()
    assert box is not None
    assert button is not None
    assert button["y"] >= box["y"], "below the box, beside Send: not above the box"

    help_button.focus()
    ada.page.keyboard.press("Enter")
    expect(shortcuts).to_be_visible()
    ada.check_accessibility_in_light_and_dark()
    ada.page.keyboard.press("Enter")
    expect(shortcuts).to_be_hidden()


def test_the_lobby_has_the_sidebar_and_reflows_at_320(people: People) -> None:
    ada = people.signed_up("Ada", display_name="Ä" * 50)
    room = unique("L" * 80)
    ada.enter_room(room)
    ada.page.set_viewport_size({"width": 320, "height": 700})
    ada.visit("/")
    expect(ada.page.get_by_role("heading", level=1)).to_have_text("Rooms")
    mine = ada.page.get_by_role("region", name="Your rooms")
    expect(mine).to_be_hidden()
    ada.page.locator(SIDEBAR_BUTTON).click()
    expect(mine.get_by_role("link", name=room)).to_be_visible()
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)
    ada.open_menu()
    assert ada.page.evaluate(NO_SIDEWAYS_SCROLLING)
    ada.check_accessibility_in_light_and_dark()


# Each choice's lines of words, as the page lays them out (a range's rectangles are its text's lines, and the box
# itself where the label holds it: that one is left out), and where its box is.
CHOICE_LINES = """() => [...document.querySelectorAll('main :is(input[type="radio"], input[type="checkbox"])')]
  .map(box => {
    const label = box.labels[0], edge = box.getBoundingClientRect(), range = document.createRange();
    range.selectNodeContents(label);
    const lines = [...range.getClientRects()].filter(
        rect => rect.width > 0 && (rect.left < edge.left - 1 || rect.right > edge.right + 1));
    return {name: label.textContent.trim(), boxRight: edge.right, boxBottom: edge.bottom,
            lefts: lines.map(rect => rect.left), tops: lines.map(rect => Math.round(rect.top))};
})"""


def test_a_choice_s_words_sit_beside_its_box_and_wrap_beside_it_at_320(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.page.set_viewport_size({"width": 320, "height": 700})
    ada.visit("/accounts/settings/")
    choices = ada.page.evaluate(CHOICE_LINES)
    assert {choice["name"] for choice in choices} >= {"Only messages that mention me", "Announce who is typing"}
    wrapped = 0
    for choice in choices:
        assert choice["lefts"], choice
        assert min(choice["lefts"]) >= choice["boxRight"], f"{choice['name']}: a line of it runs under its box"
        assert min(choice["tops"]) < choice["boxBottom"], f"{choice['name']}: its first line is not level with its box"
        wrapped += len(set(choice["tops"])) > 1
    assert wrapped, "at 320 px a choice's words wrap"
    ada.check_accessibility_in_light_and_dark()

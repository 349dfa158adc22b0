"""Keyboard-only use, the accessibility tree, reflow, text spacing, forced colours, reduced motion, the tab title."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.people import PASSWORD, People, Person, unique
from tests.visitors import Visitor

pytestmark = pytest.mark.browser


def focused_message(person: Person) -> str:
    """The text of the message that has the focus ("" when none has): its body, not its name or controls."""
    return str(
        person.page.evaluate(
            "document.activeElement.closest('#message-list > li')?.querySelector('.body')?.innerText ?? ''"
        )
    )


def test_a_keyboard_only_person_signs_in_enters_a_room_sends_and_reads_back(people: People) -> None:
    kim = people.signed_up("Kim")
    kim.sign_out()
    expect(kim.page.get_by_role("heading", level=1)).to_have_text("Sign in")  # signing out lands here
    keys = kim.page.keyboard
    room = unique("Keys")
    expect(kim.page.get_by_label("Username")).to_be_focused()
    keys.type(kim.username)
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    expect(kim.page.get_by_role("heading", level=1)).to_have_text("Rooms")
    keys.type(room)  # the lobby's room field has the cursor
    keys.press("Enter")
    kim.expect_live()
    expect(kim.composer).to_be_focused()
    for text in ("first, by keyboard", "second, by keyboard"):
        keys.type(text)
        keys.press("Enter")
        kim.expect_message(text)
        expect(kim.composer).to_be_focused()

    keys.press("Alt+ArrowUp")
    assert focused_message(kim) == "second, by keyboard"
    keys.press("ArrowUp")
    assert focused_message(kim) == "first, by keyboard"
    keys.press("ArrowDown")
    assert focused_message(kim) == "second, by keyboard"
    keys.press("Escape")
    expect(kim.composer).to_be_focused()


def test_skip_links_lead_to_the_message_box_and_the_newest_message(people: People) -> None:
    lee = people.signed_up("Lee")
    lee.enter_room(unique("Skips"))
    lee.send_message("the newest")
    lee.page.reload()
    lee.expect_live()

    first_tabbable = lee.page.evaluate(
        "[...document.querySelectorAll('a[href], button, input, select, textarea')]"
        ".filter((el) => el.tabIndex >= 0).slice(0, 2).map((el) => el.textContent)"
    )
    assert first_tabbable == ["Skip to the message box", "Skip to the newest message"], "the first stops for Tab"

    skip_to_box = lee.page.get_by_role("link", name="Skip to the message box")
    skip_to_box.focus()
    expect(skip_to_box).to_be_in_viewport()  # off-screen until focused, then shown
    lee.page.keyboard.press("Enter")
    expect(lee.composer).to_be_focused()
    lee.page.get_by_role("link", name="Skip to the newest message").focus()
    lee.page.keyboard.press("Enter")
    assert focused_message(lee) == "the newest"


def test_the_room_s_accessibility_tree(people: People) -> None:
    ann = people.signed_up("Ann", display_name="Ann")
    room = unique("Tree")
    ann.enter_room(room)
    ann.send_message("hello, tree")

    expect(ann.page.get_by_role("main")).to_match_aria_snapshot(f"""
      - heading "{room}" [level=1]
      - paragraph:
        - link "Room settings"
        - link "Search this room"
      - log "{room}":
        - list:
          - listitem:
            - article /Ann @{ann.username} .* You/:
              - paragraph:
                - text: Ann @{ann.username}
                - link:
                  - time
                - text: You
              - paragraph: hello, tree
              - link "Copy link"
              - link "Edit"
              - link "Delete"
              - group: Add reaction
      - alert
      - paragraph
      - form "Send a message":
        - text: /Message Enter sends; .*/
        - textbox "Message"
        - button "Send"
        - paragraph
        - group: Keyboard shortcuts
        - group: Formatting
      - paragraph
      - status: Sent.
      - complementary "About this room":
        - group:
          - region "1 person here":
            - heading "1 person here" [level=2]
            - list "1 person here":
              - listitem: Ann @{ann.username}
          - group "Notify me of"
          - button "Save notification level"
          - button "Leave room"
    """)
    expect(ann.page.get_by_role("navigation", name="Rooms and conversations")).to_match_aria_snapshot(f"""
      - region "Your rooms":
        - heading "Your rooms" [level=2]
        - list:
          - listitem:
            - link "{room}"
    """)
    log = ann.page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "off")  # the announcer speaks instead (test_announcements.py)
    expect(log).to_have_attribute("aria-labelledby", "room-heading")
    expect(ann.composer).to_have_accessible_description(re.compile(r"^Enter sends; Shift\+Enter starts a new line\."))
    announcer = ann.page.locator("#announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_attribute("aria-atomic", "true")


@pytest.mark.parametrize("width", [320, 1280])
def test_the_room_reflows_without_sideways_scrolling(people: People, width: int) -> None:
    max_ = people.signed_up("Max")
    max_.page.set_viewport_size({"width": width, "height": 700})
    max_.enter_room(unique("Narrow"))
    max_.send_message("a" * 300)  # one long unbroken word

    assert max_.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    max_.check_accessibility()


def test_forced_colours_and_reduced_motion_keep_the_room_usable_and_accessible(people: People) -> None:
    fay = people.signed_up("Fay")
    fay.page.emulate_media(forced_colors="active", reduced_motion="reduce")
    fay.enter_room(unique("Contrast"))
    fay.send_message("visible in forced colours")
    fay.check_accessibility()
    outline = fay.page.evaluate(
        "() => { const box = document.querySelector('#composer textarea'); box.focus();"
        " return getComputedStyle(box).outlineStyle; }"
    )
    assert outline != "none", "focus stays visible"


def test_a_hidden_tab_counts_new_messages_in_its_title(people: People) -> None:
    uma, vic = people.signed_up("Uma"), people.signed_up("Vic")
    room = unique("Unread")
    uma.enter_room(room)
    vic.enter_room(room)
    title = uma.page.title()
    uma.page.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )

    vic.send_message("one")
    vic.send_message("two")
    uma.expect_message("two")
    assert uma.page.title() == f"(2) {title}"

    uma.page.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    assert uma.page.title() == title


# WCAG 2.2 SC 1.4.12: a reader's own style sheet may widen spacing this much, and nothing may be lost.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def test_wider_text_spacing_loses_nothing(people: People) -> None:
    sam = people.signed_up("Sam")
    sam.page.set_viewport_size({"width": 320, "height": 700})
    sam.enter_room(unique("Spacing"))
    sam.send_message("words spaced wide still fit")
    sam.page.add_style_tag(content=TEXT_SPACING)

    clipped = sam.page.evaluate(
        """() => [...document.querySelectorAll("button, label, a, .message .body, .message .author, h1, legend")]
          .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
          .filter((el) => getComputedStyle(el).overflow !== "visible")
          .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert clipped == []
    assert sam.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    sam.expect_message("words spaced wide still fit")


def test_after_older_messages_the_reader_lands_on_the_message_just_above_those_they_read(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Paging")
    ada.enter_room(room)
    room_path = "/" + ada.page.url.split("/", 3)[3]
    for seeder in range(6):  # more than a page, each sender within the rate limit
        visitor = Visitor(people.base_url)
        visitor.sign_up()
        visitor.enter_room(room)
        for n in range(9):
            visitor.submit(room_path, {"body": f"seed {seeder * 9 + n}"})
    ada.page.reload()

    ada.page.get_by_role("link", name="Older messages").click()

    focused = ada.page.locator("#message-list > li > article:focus")
    expect(focused).to_contain_text("seed 3")  # the newest of the older page: just above "seed 4"
    ada.page.get_by_role("link", name="Newer messages").click()
    expect(ada.page.get_by_role("status")).to_have_text("Connected.")


def test_connecting_as_the_page_opens_is_not_read_out_but_a_lost_connection_is(people: People) -> None:
    ada = people.signed_up("Ada")
    connection = ada.use_slow_connection()
    # What the status region says, and whether it was live when it said it.
    ada.page.add_init_script(
        """
        window.__status = [];
        new MutationObserver(() => {
          const status = document.getElementById("connection-status");
          if (!status) return;
          const said = [status.textContent, status.getAttribute("aria-live") !== "off"];
          const last = window.__status.at(-1);
          if (!last || last[0] !== said[0] || last[1] !== said[1]) window.__status.push(said);
        }).observe(document, {subtree: true, childList: true, characterData: true});
        """
    )
    ada.enter_room(unique("Quiet"))
    assert [said for said in ada.page.evaluate("window.__status") if said[0]] == [
        ["Connecting…", False],
        ["Connected.", False],
    ]

    connection.close_page_side(1012)

    expect(ada.page.get_by_role("status")).to_have_text("Connected.", timeout=15_000)
    later = [said for said in ada.page.evaluate("window.__status") if said[0]][2:]
    later = [said for said in later if said != ["Connected.", False]]  # the first connection, its region loud again
    assert later[0] == ["Connection lost. Reconnecting…", True]
    assert later[-1] == ["Connected.", True]

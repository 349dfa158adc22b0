"""Editing and deleting messages in real browsers: live in every page, caught up after a reconnect, by keyboard,
without JavaScript, and accessible (DESIGN.md §2, §6, §7)."""

import re

import pytest
from playwright.sync_api import Dialog, expect

from tests import servers
from tests.browser.people import DELETED, People, Person, unique

pytestmark = pytest.mark.browser

RECONNECT_TIMEOUT_MS = 15_000  # hx-ws retries after 0.5 s, 1 s, 2 s..., each give or take 30 %
EMPTY_MESSAGE_ERROR = "The message is empty. Type something to send."


def expect_edit_error(person: Person, text: str) -> None:
    """The error is announced (role=alert) next to the edit box, and tied to it."""
    expect(person.edit_error).to_have_text(text)
    expect(person.edit_box).to_have_attribute("aria-invalid", "true")
    error_id = person.edit_error.locator("[id]").first.get_attribute("id")
    assert error_id
    described_by = (person.edit_box.get_attribute("aria-describedby") or "").split()
    assert error_id in described_by, f"the edit box is described by {described_by}, not by its error {error_id!r}"


def test_an_edit_and_a_deletion_reach_the_other_page_live_in_place_counted_and_announced_as_nothing_new(
    people: People,
) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Second thoughts")
    ada.enter_room(room)
    bob.enter_room(room)
    for text in ("first", "teh second", "third"):
        ada.send_message(text)
    bob.expect_messages(["first", "teh second", "third"])
    bob.hide_tab()
    title = bob.page.title()
    bob.page.wait_for_timeout(1_000)  # past the announcer's settling, so what it says from now on is new
    bob.listen_to_announcer()

    ada.edit_message("teh second", "the second")
    bob.expect_edited("the second")
    first = ada.delete_message("first")
    bob.expect_deleted(first)

    bob.expect_messages([DELETED, "the second", "third"])  # in place, and each once
    assert bob.page.title() == title, "an edit or a deletion is no new message"
    ada.send_message("and a new one")
    expect(bob.page.locator("#announcer")).to_have_text(f"{ada.display_name}: and a new one")
    assert bob.announcements() == [f"{ada.display_name}: and a new one"]
    assert bob.page.title() == f"(1) {title}"


def test_an_edit_and_a_deletion_made_while_a_page_was_away_reach_it_once_on_reconnecting_unannounced(
    people: People,
) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Away")
    connection = bob.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)
    for text in ("keep me", "fix me", "drop me"):
        ada.send_message(text)
    bob.expect_messages(["keep me", "fix me", "drop me"])
    cursor = bob.page.locator("#room-cursor").get_attribute("value")
    bob.page.wait_for_timeout(1_000)  # past the announcer's settling
    bob.listen_to_announcer()

    connection.drop()
    expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    ada.edit_message("fix me", "fixed")
    dropped = ada.delete_message("drop me")
    ada.send_message("new meanwhile")
    connection.restore()

    expect(bob.page.get_by_role("status")).to_have_text("Connected.", timeout=RECONNECT_TIMEOUT_MS)
    assert connection.addresses[-1].endswith(f"?after={cursor}"), "it asks for what changed after its cursor"
    bob.expect_messages(["keep me", "fixed", DELETED, "new meanwhile"])
    bob.expect_edited("fixed")
    bob.expect_deleted(dropped)
    # The catch-up frame once more, as a flaky network might: it changes nothing.
    connection.deliver_again(containing="new meanwhile")
    bob.page.wait_for_timeout(1_000)  # longer than the announcer waits for a burst to settle
    bob.expect_messages(["keep me", "fixed", DELETED, "new meanwhile"])
    # Catch-up is history, not news: none of it is read out but, once, how many new messages it brought
    # (the edit and the deletion are not counted).
    assert bob.announcements() == ["1 new message while you were away"]

    ada.send_message("live again")
    bob.expect_messages(["keep me", "fixed", DELETED, "new meanwhile", "live again"])
    expect(bob.page.locator("#announcer")).to_have_text(f"{ada.display_name}: live again")


def test_up_arrow_in_the_empty_message_box_edits_one_s_last_message_escape_cancels_and_enter_saves(
    people: People,
) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Keys")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("mine, older")
    ada.send_message("mine, newest")
    bob.send_message("Bob's, after mine")  # one's own last message, not the room's
    ada.expect_message("Bob's, after mine")
    keys = ada.page.keyboard
    expect(ada.composer).to_be_focused()

    keys.press("ArrowUp")
    expect(ada.edit_box).to_be_focused()
    expect(ada.edit_box).to_have_value("mine, newest")
    expect(ada.edit_box).to_have_accessible_description("Enter saves; Shift+Enter starts a new line; Escape cancels.")
    keys.press("End")
    keys.type(" (typo")
    ada.composer.focus()  # back in the message box, the edit box still open
    keys.press("ArrowUp")
    expect(ada.edit_box).to_have_count(1)  # the same box again, not a second one, for an older message
    expect(ada.edit_box).to_be_focused()
    expect(ada.edit_box).to_have_value("mine, newest (typo")
    keys.press("Escape")  # cancelled: nothing saved, the message back as it was, and the cursor on it
    expect(ada.edit_box).to_have_count(0)
    expect(ada.message("mine, newest").locator("article")).to_be_focused()
    ada.expect_messages(["mine, older", "mine, newest", "Bob's, after mine"])

    keys.press("Escape")  # from the messages back to the message box
    expect(ada.composer).to_be_focused()
    keys.press("ArrowUp")
    expect(ada.edit_box).to_be_focused()
    keys.press("Control+a")
    keys.type("mine, newest,")
    keys.press("Shift+Enter")
    keys.type("on two lines")
    keys.press("Enter")

    edited = "mine, newest,\non two lines"
    expect(ada.edit_box).to_have_count(0)
    expect(ada.messages.nth(1).locator("article")).to_be_focused()
    for person in (ada, bob):
        person.expect_messages(["mine, older", edited, "Bob's, after mine"])
        expect(person.messages.nth(1).get_by_role("link", name="(edited)", exact=True)).to_be_visible()

    # Up Arrow with text in the box moves the cursor in the text, as ever.
    keys.press("Escape")
    keys.type("a draft")
    keys.press("ArrowUp")
    expect(ada.composer).to_be_focused()
    expect(ada.edit_box).to_have_count(0)


@pytest.mark.parametrize("blank", ["", "  \n "], ids=["empty", "whitespace"])
def test_an_edit_to_nothing_is_refused_next_to_the_box_and_nothing_changes_for_anyone(
    people: People, blank: str
) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Blank")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("still here")
    bob.expect_message("still here")

    ada.open_edit_box("still here")
    ada.edit_box.fill(blank)
    ada.edit_box.press("Enter")

    expect_edit_error(ada, EMPTY_MESSAGE_ERROR)
    expect(ada.edit_box).to_be_focused()
    expect(bob.page.get_by_role("alert").filter(has_text=EMPTY_MESSAGE_ERROR)).to_have_count(0)
    ada.send_message("something after")  # by the time Bob has this, he would have had an edit
    bob.expect_messages(["still here", "something after"])
    expect(bob.message("still here").get_by_role("link", name="(edited)")).to_have_count(0)

    # The box stays open with the error; with words in it, Enter saves, and the error goes.
    ada.edit_box.fill("still here, and edited")
    ada.edit_box.press("Enter")
    bob.expect_edited("still here, and edited")
    expect(ada.edit_error).to_have_count(0)


def test_the_history_of_a_message_edited_twice_lists_both_earlier_versions_newest_first(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("History")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("version one")
    ada.edit_message("version one", "version two")
    ada.edit_message("version two", "version three")

    bob.expect_edited("version three")
    bob.message("version three").get_by_role("link", name="(edited)", exact=True).click()

    expect(bob.page.get_by_role("heading", level=1)).to_have_text("Earlier versions of a message")
    expect(bob.page.locator(".quoted-message blockquote").first).to_have_text("version three")  # now
    expect(bob.page.locator(".versions blockquote")).to_have_text(["version two", "version one"])
    bob.page.get_by_role("link", name=f"Back to the message in {room}").click()
    bob.expect_edited("version three")


def test_another_person_s_message_offers_them_no_edit_or_delete_and_staff_only_delete(
    people: People, live_database_url: str
) -> None:
    ada, bob, sue = people.signed_up("Ada"), people.signed_up("Bob"), people.signed_up("Sue")
    room = unique("Hands off")
    for person in (ada, bob, sue):
        person.enter_room(room)
    ada.send_message("Ada's own")
    bob.send_message("Bob's own")
    for person in (ada, bob, sue):
        person.expect_message("Bob's own")

    ada.expect_offered("Ada's own", edit=True, delete=True)
    bob.expect_offered("Bob's own", edit=True, delete=True)
    for person in (bob, sue):
        person.expect_offered("Ada's own", edit=False, delete=False)
    ada.expect_offered("Bob's own", edit=False, delete=False)
    # Not even Up Arrow reaches someone else's message: Bob's last is his own.
    ada.composer.press("ArrowUp")
    expect(ada.edit_box).to_have_value("Ada's own")
    ada.edit_box.press("Escape")

    servers.make_staff(live_database_url, sue.username)
    sue.page.reload()
    sue.expect_live()
    sue.expect_offered("Ada's own", edit=False, delete=True)  # staff delete; they put no words in anyone's mouth
    deleted = sue.delete_message("Ada's own")
    for person in (ada, bob):
        person.expect_deleted(deleted)
    ada.expect_messages([DELETED, "Bob's own"])


def test_a_member_who_left_the_room_is_no_longer_offered_to_edit_their_messages(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Left")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("said before leaving")
    room_url = ada.page.url

    ada.page.get_by_role("button", name="Leave room").click()
    ada.page.get_by_role("button", name="Leave", exact=True).click()  # it asks first
    ada.open_room(room_url)

    ada.expect_offered("said before leaving", edit=False, delete=False)


def test_editing_and_deleting_without_javascript(people: People) -> None:
    nia = people.signed_up("Nia", javascript_enabled=False)
    ada = people.signed_up("Ada")
    room = unique("No script")
    nia.enter_room(room)
    room_url = nia.page.url
    ada.enter_room(room)
    for text in ("one to keep", "one with a tpyo", "one to delete"):
        nia.send_message_with_button(text)
    ada.expect_messages(["one to keep", "one with a tpyo", "one to delete"])
    typo_id = nia.message_id("one with a tpyo")

    # The Edit page: its form, and an error next to the field.
    nia.edit_control("one with a tpyo").click()
    expect(nia.page.get_by_role("heading", level=1)).to_have_text("Edit your message")
    expect(nia.edit_box).to_have_value("one with a tpyo")
    expect(nia.edit_box).to_be_focused()
    nia.edit_box.fill("   ")
    nia.page.get_by_role("button", name="Save", exact=True).click()
    expect(nia.page).to_have_title(f"Error: Edit your message · {room} · Chat")
    expect_edit_error(nia, EMPTY_MESSAGE_ERROR)
    expect(nia.edit_box).to_be_focused()
    # Cancel leads back to the message, unchanged.
    nia.page.get_by_role("link", name="Cancel", exact=True).click()
    expect(nia.page).to_have_url(re.compile(re.escape(room_url) + r"\?around=\d+#" + re.escape(typo_id)))
    nia.expect_message("one with a tpyo")

    # Saved: back in the room, at the message, which reads anew for everybody.
    nia.edit_message("one with a tpyo", "one with a typo, fixed")
    expect(nia.page).to_have_url(re.compile(re.escape(room_url) + r"\?around=\d+#" + re.escape(typo_id)))
    ada.expect_edited("one with a typo, fixed")

    # The Delete page asks first; Cancel keeps the message.
    nia.delete_control("one to delete").click()
    expect(nia.page.get_by_role("heading", level=1)).to_have_text("Delete this message?")
    expect(nia.page.locator(".quoted-message blockquote")).to_have_text("one to delete")
    nia.page.get_by_role("link", name="Cancel", exact=True).click()
    nia.expect_message("one to delete")
    deleted = nia.delete_message("one to delete")
    expect(nia.page).to_have_url(re.compile(re.escape(room_url) + r"\?around=\d+#" + re.escape(deleted)))
    ada.expect_deleted(deleted)

    nia.page.get_by_role("link", name="(edited)", exact=True).click()
    expect(nia.page.locator(".versions blockquote")).to_have_text(["one with a tpyo"])
    for person in (nia, ada):
        person.open_room(room_url)
        person.expect_messages(["one to keep", "one with a typo, fixed", DELETED])


def save_screenshots_in_light_and_dark(person: Person, name: str) -> None:
    person.save_screenshot(name)
    person.page.emulate_media(color_scheme="dark")
    person.save_screenshot(f"{name}-dark")
    person.page.emulate_media(color_scheme="light")


def expect_no_sideways_scrolling(person: Person) -> None:
    assert person.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_edited_and_deleted_messages_the_edit_box_and_the_edit_delete_and_history_pages_are_accessible(
    people: People, width: int
) -> None:
    ada = people.signed_up("Ada", display_name="Ada Lovelace")
    bob = people.signed_up("Bob", display_name="Bob")
    ada.page.set_viewport_size({"width": width, "height": 800})
    room = unique("Engine notes")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("The engine might compose elaborate pieces of music.")
    ada.send_message("A message I regret.")
    bob.send_message(f"@{ada.username} which pieces?")
    ada.send_message("Any degree of complexity or extent.")
    ada.edit_message("The engine might compose elaborate pieces of music.", "It might compose music, elaborate pieces.")
    ada.delete_message("A message I regret.")
    ada.composer.focus()

    ada.check_accessibility_in_light_and_dark()
    save_screenshots_in_light_and_dark(ada, f"room-edited-and-deleted-{width}")
    expect_no_sideways_scrolling(ada)

    ada.open_edit_box("Any degree of complexity or extent.")
    expect(ada.page.get_by_role("button", name="Save", exact=True)).to_be_in_viewport(ratio=1)  # not cut off
    ada.check_accessibility_in_light_and_dark()
    save_screenshots_in_light_and_dark(ada, f"room-edit-box-{width}")
    expect_no_sideways_scrolling(ada)
    ada.edit_box.fill("")
    ada.edit_box.press("Enter")
    expect_edit_error(ada, EMPTY_MESSAGE_ERROR)
    expect(ada.page.get_by_role("button", name="Save", exact=True)).to_be_in_viewport(ratio=1)
    ada.check_accessibility_in_light_and_dark()
    save_screenshots_in_light_and_dark(ada, f"room-edit-box-error-{width}")
    expect_no_sideways_scrolling(ada)
    ada.edit_box.press("Escape")

    pages = {
        "edit-page": ada.edit_control("Any degree of complexity or extent.").get_attribute("href"),
        "delete-page": ada.delete_control("Any degree of complexity or extent.").get_attribute("href"),
        "history-page": ada.message("It might compose music, elaborate pieces.")
        .get_by_role("link", name="(edited)", exact=True)
        .get_attribute("href"),
    }
    for name, path in pages.items():
        assert path
        ada.visit(path)
        ada.check_accessibility_in_light_and_dark()
        save_screenshots_in_light_and_dark(ada, f"{name}-{width}")
        expect_no_sideways_scrolling(ada)
    ada.visit(str(pages["edit-page"]))
    ada.edit_box.fill("")
    ada.page.get_by_role("button", name="Save", exact=True).click()
    expect_edit_error(ada, EMPTY_MESSAGE_ERROR)
    ada.check_accessibility_in_light_and_dark()


def test_two_edit_boxes_open_at_once_are_each_labelled_and_saved_on_their_own(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Two boxes")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("older")
    ada.send_message("newer")
    ada.edit_control("older").click()
    ada.edit_control("newer").click()

    boxes = ada.page.get_by_role("textbox", name="Edit your message", exact=True)
    expect(boxes).to_have_count(2)
    expect(boxes.nth(1)).to_be_focused()
    ada.check_accessibility()
    boxes.nth(0).fill("")
    boxes.nth(0).press("Enter")
    expect(ada.page.locator(".edit-form [role=alert]")).to_have_count(1)
    expect(boxes.nth(0)).to_have_attribute("aria-invalid", "true")
    expect(boxes.nth(1)).not_to_have_attribute("aria-invalid", "true")
    ada.check_accessibility()
    boxes.nth(1).fill("newer, edited")
    boxes.nth(1).press("Enter")
    bob.expect_edited("newer, edited")
    bob.expect_messages(["older", "newer, edited"])


def test_the_edit_page_with_javascript_saves_on_enter_and_cancels_on_escape_as_it_says(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Edit page"))
    room_url = ada.page.url
    ada.send_message("edited on its page")
    ada.send_message("left alone")
    message_id = ada.message_id("left alone")
    edit_page = ada.edit_control("left alone").get_attribute("href")
    assert edit_page

    ada.visit(edit_page)
    expect(ada.edit_box).to_be_focused()
    ada.page.keyboard.press("Escape")
    expect(ada.page).to_have_url(re.compile(re.escape(room_url) + r"\?around=\d+#" + re.escape(message_id)))
    ada.expect_messages(["edited on its page", "left alone"])

    ada.visit(str(ada.edit_control("edited on its page").get_attribute("href")))
    ada.edit_box.fill("edited on its page, saved with Enter")
    ada.edit_box.press("Enter")
    expect(ada.page.get_by_role("log")).to_be_visible()
    ada.expect_edited("edited on its page, saved with Enter")


def test_an_edit_the_server_refuses_is_said_in_the_page_s_alert_region_and_the_message_stays(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Refused"))
    ada.send_message("mine, until I leave")
    other_tab = ada.context.new_page()
    other_tab.goto(ada.page.url)
    other_tab.get_by_role("button", name="Leave room").click()  # this page still shows Edit
    other_tab.get_by_role("button", name="Leave", exact=True).click()  # it asks first

    ada.edit_control("mine, until I leave").click()

    notice = ada.page.locator("#message-notice")
    expect(notice).to_have_attribute("role", "alert")
    expect(notice).to_have_text("This message cannot be changed: it was deleted, or it is not yours to change.")
    expect(ada.edit_box).to_have_count(0)
    ada.expect_messages(["mine, until I leave"])


def test_delete_asks_first_and_no_keeps_the_message(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Second chances")
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("nearly deleted")
    asked: list[str] = []

    def say_no(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    ada.page.once("dialog", say_no)
    ada.delete_control("nearly deleted").click()

    ada.send_message("still both here")  # by the time Bob has this, he would have had the deletion
    for person in (ada, bob):
        person.expect_messages(["nearly deleted", "still both here"])
    assert asked == ["Delete this message? This cannot be undone."]

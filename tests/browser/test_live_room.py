"""People chatting in real browsers against a real server (DESIGN.md §6, §7)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.people import People, Person, unique

pytestmark = pytest.mark.browser

EMPTY_MESSAGE_ERROR = "The message is empty. Type something to send."
HOSTILE_IMG = "<img src=x onerror=window.__xss=1>"
HOSTILE_HTMX = '<div hx-get="/" hx-trigger="load">'
HOSTILE_TEMPLATE = "{{ 7|add:1 }}"
# What the hostile text would make, had it been taken for markup (a message's own Edit link is htmx's, and ours).
INJECTED = "img, [hx-trigger], [hx-get]:not(.message-actions a)"


def expect_composer_ready(person: Person) -> None:
    """Empty and holding the cursor, ready for the next message."""
    expect(person.composer).to_have_value("")
    expect(person.composer).to_be_focused()
    assert person.page.evaluate("document.activeElement === document.querySelector('#composer textarea')")


def expect_composer_error(person: Person, text: str) -> None:
    """The error is announced (role=alert) next to the composer, and tied to the message box."""
    expect(person.composer_error).to_have_text(text)
    expect(person.composer).to_have_attribute("aria-invalid", "true")
    error_id = person.composer_error.locator("[id]").first.get_attribute("id")
    assert error_id
    described_by = (person.composer.get_attribute("aria-describedby") or "").split()
    assert error_id in described_by, f"the message box is described by {described_by}, not by its error {error_id!r}"


def test_a_message_reaches_everyone_in_the_room_exactly_once(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Tea")
    ada.enter_room(room)
    bob.enter_room(room)

    text = unique("Hello Bob")
    ada.send_message(text)

    ada.expect_message(text, author=ada.display_name)
    bob.expect_message(text, author=ada.display_name)
    expect_composer_ready(ada)


def test_the_room_has_one_log_that_new_messages_are_only_appended_to(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Log"))
    expect(ada.page.get_by_role("log")).to_have_count(1)
    expect(ada.page.get_by_role("log").locator("#message-list")).to_have_count(1)
    ada.send_message("first")
    log = ada.page.get_by_role("log").element_handle()
    first = ada.messages.first.element_handle()

    ada.send_message("second")
    ada.expect_message("second")

    # Appended, not re-rendered: a screen reader announces only what is new.
    assert ada.message_texts() == ["first", "second"]
    assert log.evaluate("(log) => log.isConnected")
    assert first.evaluate("(li) => li.isConnected")


def test_what_is_typed_while_a_message_is_on_its_way_is_kept(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Typing fast")
    connection = ada.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)

    connection.hold()
    ada.composer.fill("first")
    ada.composer.press("Enter")
    bob.expect_message("first")  # the server has it; Ada has not heard back yet
    ada.page.keyboard.type("second")
    connection.release()
    ada.expect_message("first")

    assert ada.composer.input_value() == "second"
    ada.composer.press("Enter")
    bob.expect_message("second")


def test_a_message_delivered_twice_is_shown_once(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Echo")
    connection = ada.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)
    text = unique("said once")
    bob.send_message(text)
    ada.expect_message(text)

    connection.deliver_again(containing=text)
    ada.send_message(unique("and then"))  # the page has handled the repeat by the time its own reply is in

    ada.expect_message(text)  # still exactly once


def test_a_message_stays_in_the_room_it_was_sent_to(people: People) -> None:
    ada, bob, cyd = people.signed_up("Ada"), people.signed_up("Bob"), people.signed_up("Cyd")
    tea, coffee = unique("Tea"), unique("Coffee")
    ada.enter_room(tea)
    bob.enter_room(tea)
    cyd.enter_room(coffee)

    about_tea = unique("Tea is ready")
    ada.send_message(about_tea)
    bob.expect_message(about_tea)
    # Cyd's own message arrives after Ada's was broadcast: had Ada's reached her, it would be there by now.
    about_coffee = unique("Coffee too")
    cyd.send_message(about_coffee)
    cyd.expect_message(about_coffee)

    assert cyd.message_texts() == [about_coffee]
    assert bob.message_texts() == [about_tea]


def test_without_javascript_a_message_is_posted_by_the_form_and_still_arrives_live(people: People) -> None:
    nora = people.signed_up("Nora", javascript_enabled=False)
    ada = people.signed_up("Ada")
    room = unique("Plain")
    nora.enter_room(room)
    room_url = nora.page.url
    assert re.search(r"/rooms/[-\w]+/$", room_url), room_url
    ada.enter_room(room)

    text = unique("Sent without JavaScript")
    nora.send_message_with_button(text)

    # POST, redirect, GET: back on the room page, so a reload cannot send it twice.
    expect(nora.page).to_have_url(room_url)
    nora.expect_message(text, author=nora.display_name)
    ada.expect_message(text, author=nora.display_name)


@pytest.mark.parametrize("blank", ["", "   \n\t  "], ids=["empty", "whitespace"])
def test_an_empty_message_is_refused_next_to_the_composer_for_the_sender_only(people: People, blank: str) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Quiet")
    ada.enter_room(room)
    bob.enter_room(room)

    ada.send_message(blank)

    expect_composer_error(ada, EMPTY_MESSAGE_ERROR)
    expect(ada.messages).to_have_count(0)
    expect(bob.page.get_by_role("alert").filter(has_text=re.compile(r"\S"))).to_have_count(0)  # none says a word
    expect(bob.messages).to_have_count(0)

    # Once Ada writes something, the error goes, and Bob gets that message and only that one.
    text = unique("Now with words")
    ada.send_message(text)
    bob.expect_message(text)
    assert bob.message_texts() == [text]
    expect(ada.composer_error).to_have_count(0)
    expect(ada.composer).not_to_have_attribute("aria-invalid", "true")
    expect_composer_ready(ada)


def test_shift_enter_starts_a_new_line_and_enter_sends_the_whole_message(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Poems")
    ada.enter_room(room)
    bob.enter_room(room)

    ada.composer.click()
    ada.page.keyboard.type("Roses are red,")
    ada.page.keyboard.press("Shift+Enter")
    ada.page.keyboard.type("violets are blue")
    expect(ada.composer).to_have_value("Roses are red,\nviolets are blue")
    ada.page.keyboard.press("Enter")

    poem = "Roses are red,\nviolets are blue"
    for person in (ada, bob):
        person.expect_message(poem)
        assert person.message_texts() == [poem]
        expect(person.messages.locator(".body br")).to_have_count(1)
    expect_composer_ready(ada)


def test_html_template_syntax_and_htmx_attributes_are_shown_literally(people: People) -> None:
    room = f"{HOSTILE_IMG} {HOSTILE_HTMX} {HOSTILE_TEMPLATE} {unique('x')}"
    text = f"{HOSTILE_IMG} {HOSTILE_HTMX} {HOSTILE_TEMPLATE}"
    mallory = people.signed_up("Mallory", display_name=HOSTILE_IMG)
    bob = people.signed_up("Bob", display_name=HOSTILE_HTMX)
    mallory.enter_room(room)
    bob.enter_room(room)

    mallory.send_message(text)

    for person in (mallory, bob):
        person.expect_message(text, author=HOSTILE_IMG)
        expect(person.page).to_have_title(re.compile(re.escape(room)))
        expect(person.page.get_by_role("heading", level=1)).to_have_text(room)
        expect(person.page.get_by_role("banner")).to_contain_text(person.display_name)
        expect(person.page.locator(INJECTED)).to_have_count(0)
        assert person.page.evaluate("typeof window.__xss") == "undefined"

    bob.visit("/")
    expect(bob.page.get_by_role("link", name=room, exact=True)).to_be_visible()
    expect(bob.page.locator(INJECTED)).to_have_count(0)
    assert bob.page.evaluate("typeof window.__xss") == "undefined"


def test_the_sign_in_and_sign_up_pages_are_accessible(people: People) -> None:
    visitor = people.new()
    visitor.visit("/accounts/login/")
    visitor.check_accessibility_in_light_and_dark()

    visitor.page.get_by_label("Username").fill(unique("nobody"))
    visitor.page.get_by_label("Password").fill("not the password")
    visitor.page.get_by_role("button", name="Sign in").click()
    expect(visitor.page).to_have_title(re.compile("^Error:"))
    visitor.check_accessibility()

    visitor.visit("/accounts/signup/")
    visitor.check_accessibility_in_light_and_dark()

    visitor.page.get_by_label("Password", exact=True).fill("short")
    visitor.page.get_by_role("button", name="Create account").click()
    expect(visitor.page).to_have_title(re.compile("^Error:"))
    expect(visitor.page.get_by_role("alert").first).to_be_visible()
    visitor.check_accessibility_in_light_and_dark()


def test_the_lobby_is_accessible_before_and_after_rooms_exist(people_on_empty_server: People) -> None:
    ada = people_on_empty_server.signed_up("Ada")
    expect(ada.page.get_by_text("No rooms yet")).to_be_visible()
    ada.check_accessibility_in_light_and_dark()

    ada.page.get_by_role("button", name="Enter", exact=True).click()
    expect(ada.page.get_by_role("alert")).to_contain_text("Type the name of the room")
    ada.check_accessibility()

    ada.enter_room("Tea")
    ada.enter_room("Coffee")
    ada.visit("/")
    expect(ada.page.get_by_role("link", name="Coffee")).to_be_visible()
    ada.check_accessibility_in_light_and_dark()


def test_a_room_is_accessible_empty_with_messages_with_an_error_and_to_a_non_member(people: People) -> None:
    ada = people.signed_up("Ada", display_name="Ada Lovelace")
    room = unique("Analytical engine")
    ada.enter_room(room)
    room_url = ada.page.url
    ada.check_accessibility_in_light_and_dark()

    ada.send_message("Hello, room.")
    ada.send_message("The engine weaves algebraic patterns\njust as the Jacquard loom weaves flowers and leaves.")
    ada.expect_message("The engine weaves algebraic patterns\njust as the Jacquard loom weaves flowers and leaves.")
    ada.check_accessibility_in_light_and_dark()
    ada.save_screenshot("room-with-messages")
    ada.page.emulate_media(color_scheme="dark")
    ada.save_screenshot("room-with-messages-dark")
    ada.page.emulate_media(color_scheme="light")

    # The error as the WebSocket answer brings it...
    ada.send_message("   ")
    expect_composer_error(ada, EMPTY_MESSAGE_ERROR)
    ada.check_accessibility_in_light_and_dark()
    # ...and as the page a plain form POST answers with (submit() bypasses htmx, as no JavaScript would).
    ada.visit(room_url)
    ada.composer.fill("   ")
    ada.page.evaluate("document.getElementById('composer').submit()")
    expect(ada.page).to_have_title(re.compile("^Error:"))
    expect_composer_error(ada, EMPTY_MESSAGE_ERROR)
    ada.check_accessibility()

    bob = people.signed_up("Bob")
    bob.open_room(room_url)
    expect(bob.page.get_by_role("button", name="Join room")).to_be_visible()
    expect(bob.composer).to_have_count(0)
    bob.check_accessibility_in_light_and_dark()

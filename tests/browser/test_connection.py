"""The room socket as a person meets it: the box they type in, sends that get lost, and closes (htmx 4's hx-ws)."""

import json
import re
import time

import pytest
from playwright.sync_api import Route, WebSocket, expect

from rooms.messages.history import PAGE_SIZE
from rooms.sockets import close_codes
from tests.browser.people import People, Person, unique

pytestmark = pytest.mark.browser

RECONNECT_TIMEOUT_MS = 15_000  # hx-ws's first retries come after 0.5 s, 1 s, 2 s..., each give or take 30 %
# After a long time away (51 messages sent meanwhile, within the senders' rate limits: 15 s or more on a busy
# machine), the retries are 16 s apart, and the one after the way is open again may be 20 s off.
LONG_AWAY_RECONNECT_MS = 45_000


def message_box_is(person: Person, box: object) -> bool:
    """Whether the page's message box is still this very element."""
    same: bool = person.page.evaluate("(box) => box === document.querySelector('#composer textarea')", box)
    return same


@pytest.mark.parametrize("slow", ["js/connection.js", "js/composer.js", "vendor/hx-ws-"])
def test_the_room_goes_live_however_late_each_script_arrives(people: People, slow: str) -> None:
    # htmx 4 starts as soon as it has run and the page has a moment, not at DOMContentLoaded: whatever came
    # later would miss the socket's first events (and with hx-ws late, the socket itself).
    ada = people.signed_up("Ada")

    def late(route: Route) -> None:
        time.sleep(0.5)
        route.continue_()

    ada.page.route(re.compile(re.escape(slow)), late)
    ada.enter_room(unique("Slow scripts"))  # waits for "Connected."
    ada.send_message("it all arrived")
    ada.expect_message("it all arrived")
    expect(ada.page.get_by_role("status")).to_have_text("Sent.")


def test_the_message_box_stays_the_same_element_through_a_send_and_a_refusal(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Same box"))
    box = ada.composer.element_handle()

    ada.send_message("a message that goes")
    ada.expect_message("a message that goes")
    assert message_box_is(ada, box), "the reply to a send replaced the message box"
    expect(ada.composer).to_be_focused()

    ada.send_message("")
    expect(ada.composer_error).to_have_text("The message is empty. Type something to send.")
    expect(ada.composer).to_have_attribute("aria-invalid", "true")
    assert message_box_is(ada, box), "the reply to a refusal replaced the message box"
    expect(ada.composer).to_be_focused()


def test_a_refused_message_comes_back_in_front_of_what_was_typed_meanwhile(people: People) -> None:
    ada = people.signed_up("Ada")
    connection = ada.use_slow_connection()
    ada.enter_room(unique("Refused"))
    box = ada.composer.element_handle()
    too_long = "x" * 4001  # set as a paste past the box's maxlength would, not typed

    connection.hold()
    ada.composer.evaluate("(box, text) => { box.value = text; }", too_long)
    ada.composer.press("Enter")
    expect(ada.composer).to_have_value("")
    ada.page.keyboard.type("and more")
    connection.release()

    expect(ada.composer_error).to_contain_text("A message can be at most 4000 characters long; this one has 4001.")
    expect(ada.composer).to_have_value(f"{too_long}\nand more")
    assert message_box_is(ada, box)
    expect(ada.composer).to_be_focused()


def test_a_refused_message_sent_again_unchanged_keeps_its_client_id_and_a_changed_one_gets_a_new_one(
    people: People,
) -> None:
    # So that a copy stored after all (the answer lost, the retry refused) is answered for, not stored twice.
    ada = people.signed_up("Ada")
    frames: list[str] = []
    replies: list[str] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda frame: frames.append(str(frame)))
        socket.on(
            "framereceived", lambda frame: replies.append(str(frame)) if "composer-fields" in str(frame) else None
        )

    ada.page.on("websocket", watch)
    ada.enter_room(unique("Same id"))
    too_long = "x" * 4001

    for answered, text in enumerate((too_long, too_long, too_long[:4000]), start=1):
        ada.composer.evaluate("(box, text) => { box.value = text; }", text)
        ada.composer.press("Enter")
        for _ in range(100):  # answered
            if len(replies) == answered:
                break
            ada.page.wait_for_timeout(50)

    first, again, changed = (json.loads(frame)["client_id"] for frame in frames)
    assert first == again
    assert changed != first
    ada.expect_message(too_long[:4000])


def test_the_reply_does_not_pull_the_focus_back_from_the_messages(people: People) -> None:
    ada = people.signed_up("Ada")
    connection = ada.use_slow_connection()
    ada.enter_room(unique("Reading"))
    ada.send_message("something to read")
    # The answer to a send and the message's own frame are two frames: hold nothing before both are in.
    ada.expect_message("something to read")

    connection.hold()
    ada.composer.fill("sent, then off to read")
    ada.composer.press("Enter")
    ada.composer.press("Alt+ArrowUp")  # to the newest message
    being_read = ada.messages.filter(has_text="something to read").locator("article")
    expect(being_read).to_be_focused()
    connection.release()

    ada.expect_message("sent, then off to read")
    expect(ada.page.get_by_role("status")).to_have_text("Sent.")
    expect(being_read).to_be_focused()


def test_a_send_whose_answer_was_lost_goes_again_after_reconnecting_and_is_stored_once(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Lost answer")
    connection = ada.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)

    connection.hold()
    ada.composer.fill("did this arrive?")
    ada.composer.press("Enter")
    bob.expect_message("did this arrive?")  # saved and broadcast; Ada's page heard nothing back
    connection.drop()  # and the answer is lost with the connection
    expect(ada.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    connection.restore()

    expect(ada.page.get_by_role("status")).to_have_text("Sent.", timeout=RECONNECT_TIMEOUT_MS)  # the resend, answered
    ada.expect_message("did this arrive?")
    bob.page.reload()
    bob.expect_message("did this arrive?")  # exactly once, in the database too
    expect(ada.composer).to_have_value("")


@pytest.mark.parametrize("code", [1012, 1013, close_codes.TRY_AGAIN_LATER])
def test_the_page_reconnects_after_a_restart_or_try_again_later(people: People, code: int) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Again")
    connection = ada.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)

    connection.close_page_side(code)
    expect(ada.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    bob.send_message("while you were reconnecting")

    expect(ada.page.get_by_role("status")).to_have_text("Connected.", timeout=RECONNECT_TIMEOUT_MS)
    ada.expect_message("while you were reconnecting")
    assert connection.attempts == 2


def test_on_reconnecting_the_page_asks_only_for_what_came_after_its_newest_message(people: People) -> None:
    ada = people.signed_up("Ada")
    connection = ada.use_slow_connection()
    ada.enter_room(unique("Cursor"))
    assert connection.addresses[0].endswith("?after=0")
    for text in ("one", "two", "three"):
        ada.send_message(text)
    ada.expect_message("three")
    newest = ada.messages.last.get_attribute("data-seq")

    connection.close_page_side(1012)

    expect(ada.page.get_by_role("status")).to_have_text("Connected.", timeout=RECONNECT_TIMEOUT_MS)
    assert connection.addresses[-1].endswith(f"?after={newest}")


STATUS_AFTER_A_FINAL_CLOSE = {
    1008: "Disconnected. Reload the page to keep chatting.",
    1003: "Disconnected. Reload the page to keep chatting.",
    close_codes.UNREADABLE: "Disconnected. Reload the page to keep chatting.",
    close_codes.TOO_LARGE: "Disconnected. Reload the page to keep chatting.",
    close_codes.SIGNED_OUT: "You signed out in this browser, so this page no longer sends or receives messages."
    " Sign in again to keep chatting.",
    close_codes.NOT_A_MEMBER: "You are no longer a member of this room, so this page no longer sends or receives"
    " messages.",
    close_codes.DEACTIVATED: "Your account was deactivated, so this page no longer sends or receives messages.",
}


def test_every_final_close_of_the_chat_has_words_of_its_own_or_the_plain_ones() -> None:
    assert set(close_codes.FINAL) <= set(STATUS_AFTER_A_FINAL_CLOSE)


@pytest.mark.parametrize("code", list(STATUS_AFTER_A_FINAL_CLOSE))
def test_after_a_final_close_the_page_says_why_stops_offering_to_send_and_does_not_reconnect(
    people: People, code: int
) -> None:
    ada = people.signed_up("Ada")
    connection = ada.use_slow_connection()
    ada.enter_room(unique("Final"))
    connection.hold()
    ada.composer.fill("never answered")
    ada.composer.press("Enter")

    connection.close_page_side(code)

    expect(ada.page.get_by_role("status")).to_have_text(STATUS_AFTER_A_FINAL_CLOSE[code])
    expect(ada.composer).to_have_value("never answered")  # back in view, not lost
    expect(ada.composer).not_to_be_editable()
    expect(ada.page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    ada.page.wait_for_timeout(2_000)  # past hx-ws's first retries
    assert connection.attempts == 1
    ada.check_accessibility_in_light_and_dark()


def test_leaving_in_one_tab_tells_the_other_tab_and_it_stops_offering_to_send(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Two tabs")
    ada.enter_room(room)
    other_tab = ada.context.new_page()
    other_tab.goto(ada.page.url)
    expect(other_tab.get_by_role("status")).to_have_text("Connected.")

    ada.page.get_by_role("button", name="Leave room").click()
    ada.page.get_by_role("button", name="Leave", exact=True).click()  # it asks first

    expect(other_tab.get_by_role("status")).to_have_text(STATUS_AFTER_A_FINAL_CLOSE[close_codes.NOT_A_MEMBER])
    expect(other_tab.get_by_role("textbox", name="Message", exact=True)).not_to_be_editable()


def test_signing_out_in_one_tab_tells_the_other_tab(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Signing out"))
    other_tab = ada.context.new_page()
    other_tab.goto(ada.page.url)
    expect(other_tab.get_by_role("status")).to_have_text("Connected.")

    ada.sign_out()

    expect(other_tab.get_by_role("status")).to_have_text(STATUS_AFTER_A_FINAL_CLOSE[close_codes.SIGNED_OUT])
    expect(other_tab.get_by_role("button", name="Send", exact=True)).to_be_disabled()


def test_after_missing_more_than_a_page_the_link_opens_at_the_first_missed_and_the_cursor_holds(
    people: People,
) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Away")
    ada.enter_room(room)
    # Each person may send 10 messages in 10 seconds: a page's worth takes a few of them, nine each at most,
    # and Ada is not among them (with "before the trip" she was at her limit, and "after the trip" was refused).
    senders = [people.signed_up(f"Sender{n}") for n in range(6)]
    for sender in senders:
        sender.enter_room(room)
    connection = ben.use_slow_connection()
    ben.enter_room(room)
    ada.send_message("before the trip")
    ben.expect_message("before the trip")

    connection.drop()
    missed = [f"while away {n}" for n in range(PAGE_SIZE + 1)]
    for n, text in enumerate(missed):
        senders[n % len(senders)].send_message(text)
    connection.restore()

    link = ben.page.get_by_role("link", name=f"{PAGE_SIZE + 1} new messages while you were away: show them")
    expect(link).to_be_visible(timeout=LONG_AWAY_RECONNECT_MS)
    assert ben.message_texts() == ["before the trip"], "not a wall of text"

    # The link is now the list's last item; the page's cursor is its own, and moved past all of them.
    cursor = ben.page.locator("#room-cursor").get_attribute("value")
    connection.close_page_side(1012)
    expect(ben.page.get_by_role("status")).to_have_text("Connected.", timeout=RECONNECT_TIMEOUT_MS)
    assert connection.addresses[-1].endswith(f"?after={cursor}")
    ada.send_message("after the trip")
    ben.expect_message("after the trip")
    assert ben.message_texts() == ["before the trip", "after the trip"], "nothing missed sent twice"

    link.click()
    expect(ben.messages.first).to_contain_text("while away 0")
    assert ben.message_texts() == missed[:PAGE_SIZE], "the room from the first missed message"
    ben.page.get_by_role("link", name="Newer messages").click()
    expect(ben.page.get_by_role("status")).to_have_text("Connected.")  # paging forward reaches the live page
    assert ben.message_texts()[-2:] == [missed[-1], "after the trip"]

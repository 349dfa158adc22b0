"""What a screen reader is told: other people's new messages, as each reader chose; not history, not one's own."""

import pytest
from playwright.sync_api import expect

from tests.browser.people import People, Person, unique

pytestmark = pytest.mark.browser


def announcer(person: Person) -> str:
    return str(person.page.locator("#announcer").text_content())


def choose_announcements(person: Person, choice: str) -> None:
    person.visit("/accounts/settings/")
    person.check_accessibility_in_light_and_dark()
    person.page.get_by_label(choice).check()
    person.page.get_by_role("button", name="Save settings").click()
    expect(person.page.get_by_role("status")).to_have_text("Your settings are saved.")


def test_other_people_s_messages_are_announced_as_author_and_text_and_one_s_own_as_sent(people: People) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Heard")
    ada.enter_room(room)
    bob.enter_room(room)

    bob.send_message("hello, Ada")
    expect(ada.page.locator("#announcer")).to_have_text("Bob: hello, Ada")
    expect(bob.page.get_by_role("status")).to_have_text("Sent.")
    assert announcer(bob) == "", "one's own message is not read back"
    expect(ada.page.get_by_role("log")).to_have_attribute("aria-live", "off")


def test_catch_up_after_a_reconnect_is_not_announced(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Quiet")
    connection = bob.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)
    ada.send_message("live before")
    expect(bob.page.locator("#announcer")).to_contain_text("live before")

    connection.drop()
    expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    ada.send_message("sent while Bob was away")
    connection.restore()
    expect(bob.page.get_by_role("status")).to_have_text("Connected.", timeout=30_000)
    bob.expect_message("sent while Bob was away")
    bob.page.wait_for_timeout(1_000)  # longer than the announcer waits for a burst to settle
    assert "sent while Bob was away" not in announcer(bob)

    ada.send_message("live after")
    expect(bob.page.locator("#announcer")).to_contain_text("live after")


def test_a_burst_of_messages_is_summed_up(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Burst")
    ada.enter_room(room)
    bob.enter_room(room)
    connection = ada.use_slow_connection()
    ada.page.reload()
    ada.expect_live()

    connection.hold()
    for n in range(4):
        bob.send_message(f"burst {n}")
    connection.release()  # the four arrive together

    expect(ada.page.locator("#announcer")).to_have_text(f"4 new messages in {room}")


def test_a_reader_may_hear_only_mentions_of_them_or_nothing(people: People) -> None:
    ada, bob, cyd = people.signed_up("Ada"), people.signed_up("Bob"), people.signed_up("Cyd")
    choose_announcements(ada, "Only messages that mention me")
    choose_announcements(cyd, "Nothing")
    room = unique("Mentions")
    for person in (ada, bob, cyd):
        person.enter_room(room)

    bob.send_message("lunch, anyone?")
    bob.send_message(f"@{ada.username}. are you in?")
    expect(ada.page.locator("#announcer")).to_contain_text(f"@{ada.username}. are you in?")
    cyd.expect_message(f"@{ada.username}. are you in?")
    cyd.page.wait_for_timeout(1_000)
    assert "lunch" not in announcer(ada)
    assert announcer(cyd) == ""


def test_steady_traffic_is_heard_within_two_seconds_not_after_it_stops(people: People) -> None:
    ada, bob, cyd = people.signed_up("Ada"), people.signed_up("Bob"), people.signed_up("Cyd")
    room = unique("Steady")
    for person in (ada, bob, cyd):
        person.enter_room(room)
    # When the first message arrived and when the announcer first spoke, by the page's own clock.
    ada.page.evaluate(
        """() => {
          const seen = (window.__heard = {});
          new MutationObserver(() => { seen.arrived ??= performance.now(); })
            .observe(document.getElementById("message-list"), {childList: true});
          new MutationObserver(() => {
            if (document.getElementById("announcer").textContent) seen.spoke ??= performance.now();
          }).observe(document.getElementById("announcer"), {childList: true, characterData: true, subtree: true});
        }"""
    )

    for n in range(13):  # one every 400 ms for 5 s, from two people (each within the rate limit)
        (bob if n % 2 else cyd).send_message(f"steady {n}")
        ada.page.wait_for_timeout(400)

    heard = ada.page.evaluate("window.__heard")
    assert "spoke" in heard, "nothing was announced"
    assert heard["spoke"] - heard["arrived"] < 2_500


def test_a_run_of_one_person_s_messages_names_them_once_and_lines_are_pauses(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Lines")
    ada.enter_room(room)
    bob.enter_room(room)
    connection = ada.use_slow_connection()
    ada.page.reload()
    ada.expect_live()

    connection.hold()
    bob.composer.fill("first line")
    bob.composer.press("Shift+Enter")
    bob.composer.press_sequentially("second line")
    bob.composer.press("Enter")
    bob.send_message("and another!")
    connection.release()  # both arrive together

    expect(ada.page.locator("#announcer")).to_have_text("Bob: first line. second line … and another!")


def test_a_long_message_is_cut_in_the_announcement_saying_how_much_is_left(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Long")
    ada.enter_room(room)
    bob.enter_room(room)
    long_text = " ".join(f"word{n:03}" for n in range(100))  # 799 characters

    bob.send_message(long_text)

    read_out = " ".join(f"word{n:03}" for n in range(37))  # the whole words within the first 300 characters
    expect(ada.page.locator("#announcer")).to_have_text(f"Bob: {read_out} …and {799 - len(read_out)} more characters")

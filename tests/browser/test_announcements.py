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

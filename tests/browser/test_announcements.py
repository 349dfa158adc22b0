"""What the room's log region announces: live messages, not the history a reconnect catches up on."""

import pytest
from playwright.sync_api import expect

from tests.browser.people import People, unique

pytestmark = pytest.mark.browser

# For every message added to the list: its text, and whether the log was a live region at that moment.
RECORD_INSERTIONS = """() => {
  window.insertions = [];
  const log = document.querySelector("[role=log]");
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      if (node.matches?.("li.message")) {
        window.insertions.push([node.querySelector(".body").innerText, log.getAttribute("aria-live")]);
      }
    }
  }).observe(document.getElementById("message-list"), { childList: true });
}"""


def test_catch_up_after_a_reconnect_is_not_announced_and_live_messages_are(people: People) -> None:
    ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
    room = unique("Quiet")
    connection = bob.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)
    bob.page.evaluate(RECORD_INSERTIONS)
    ada.send_message("live before")
    bob.expect_message("live before")

    connection.drop()
    expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    ada.send_message("sent while Bob was away")
    connection.restore()
    expect(bob.page.get_by_role("status")).to_have_text("Connected.", timeout=30_000)
    bob.expect_message("sent while Bob was away")
    ada.send_message("live after")
    bob.expect_message("live after")

    assert bob.page.evaluate("window.insertions") == [
        ["live before", "polite"],
        ["sent while Bob was away", "off"],
        ["live after", "polite"],
    ]
    expect(bob.page.get_by_role("log")).to_have_attribute("aria-live", "polite")

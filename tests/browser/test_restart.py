"""A server restarted under open pages: they reconnect with backoff and lose nothing."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.people import People, unique
from tests.servers import free_port, live_database, uvicorn_server

pytestmark = pytest.mark.browser

RECONNECT_TIMEOUT_MS = 40_000  # htmx's ws extension backs off up to 2^n seconds, with jitter


def test_pages_reconnect_after_a_restart_and_what_was_typed_meanwhile_arrives(browser: Browser, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    with live_database(tmp_path) as database_url:
        with uvicorn_server(database_url=database_url, log_path=log, port=port) as url:
            people = People(browser, url)
            ada, bob = people.signed_up("Ada"), people.signed_up("Bob")
            room = unique("Restart")
            ada.enter_room(room)
            bob.enter_room(room)
            ada.send_message("before the restart")
            bob.expect_message("before the restart")

        try:
            expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
            ada.composer.fill("typed while the server was away")
            ada.composer.press("Enter")  # queued by the page until its socket is back

            with uvicorn_server(database_url=database_url, log_path=log, port=port):
                for person in (ada, bob):
                    expect(person.page.locator("#message-list")).to_contain_text(
                        "typed while the server was away", timeout=RECONNECT_TIMEOUT_MS
                    )
                    person.expect_message("typed while the server was away")
                    assert person.message_texts() == ["before the restart", "typed while the server was away"]
                expect(bob.page.get_by_role("status")).to_have_text("Connected.")
                expect(ada.page.get_by_role("status")).to_have_text("Sent.")  # the queued message, answered
        finally:
            people.close()

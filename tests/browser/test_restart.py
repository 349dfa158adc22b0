"""A server restarted under open pages, or killed from under them: they reconnect with backoff and lose nothing."""

import signal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.people import People, unique
from tests.servers import free_port, live_database, process_of, uvicorn_server

pytestmark = pytest.mark.browser

RECONNECT_TIMEOUT_MS = 40_000  # hx-ws backs off from 0.5 s, doubling each time, give or take 30 %


# SIGTERM: uvicorn closes every socket with 1012 (restart). SIGKILL: the connection just drops (1006, no close frame).
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["restart", "killed"])
def test_pages_reconnect_after_the_server_went_away_and_what_was_typed_meanwhile_arrives(
    browser: Browser, tmp_path: Path, stop: signal.Signals
) -> None:
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
            process_of(url).send_signal(stop)

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

"""A live uvicorn server and one Chromium for the browser tests.

Both live for the tests/browser package only, not the whole session: while
Playwright's sync API is alive it marks its own event loop as the running
one in this thread, and pytest-asyncio could then not start a loop for the
async tests elsewhere in the suite.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests import servers, services
from tests.browser.people import People

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def serve(directory: Path) -> Iterator[str]:
    with (
        servers.live_database(directory) as database_url,
        servers.uvicorn_server(database_url=database_url, log_path=directory / "uvicorn.log") as base_url,
    ):
        yield base_url


@pytest.fixture(scope="package")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database behind live_server_url, for the few tests that set up what no page can (staff)."""
    with servers.live_database(tmp_path_factory.mktemp("live-database")) as database_url:
        yield database_url


@pytest.fixture(scope="package")
def live_server_url(live_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the package; tests keep out of each other's way with unique names."""
    log_path = tmp_path_factory.mktemp("live") / "uvicorn.log"
    with servers.uvicorn_server(database_url=live_database_url, log_path=log_path) as base_url:
        yield base_url


@pytest.fixture
def empty_server_url(tmp_path: Path) -> Iterator[str]:
    """A server of one's own, for the few tests that need to see the chat before anyone used it."""
    yield from serve(tmp_path)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    chromium = services.require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def people(browser: Browser, live_server_url: str) -> Iterator[People]:
    everyone = People(browser, live_server_url)
    yield everyone
    everyone.close()


@pytest.fixture
def people_on_empty_server(browser: Browser, empty_server_url: str) -> Iterator[People]:
    everyone = People(browser, empty_server_url)
    yield everyone
    everyone.close()

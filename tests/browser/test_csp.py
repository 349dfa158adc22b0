"""The Content-Security-Policy is strict, and the chat works under it: no inline script, no eval."""

import pytest
from playwright.sync_api import ConsoleMessage, expect

from tests.browser.people import People, unique

pytestmark = pytest.mark.browser


def test_the_whole_journey_works_under_the_policy_without_a_single_violation(people: People) -> None:
    ada = people.new(obey_csp=True)
    violations: list[str] = []

    def note_violation(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    ada.page.on("console", note_violation)
    response = ada.page.goto("/accounts/signup/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy

    ada.sign_up("Ada")
    room = unique("Strict")
    ada.enter_room(room)  # waits for "Connected.": htmx and its websocket extension run
    text = unique("under a strict policy")
    ada.composer.fill(text)
    ada.composer.press("Enter")
    expect(ada.page.locator("#message-list")).to_contain_text(text)
    expect(ada.composer).to_have_value("")
    expect(ada.composer).to_be_focused()

    assert violations == []

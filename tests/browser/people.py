"""The vocabulary the browser tests speak (STYLE.md §7): people who sign up,
enter rooms, send messages and expect to see them.

Each Person is one browser context (their own cookies, their own tab), so two
people in one test are two independent visitors to the same live server.
"""

import copy
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, WebSocketRoute, expect
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PASSWORD = "a-long-test-passphrase-42"
DEFAULT_TIMEOUT_MS = 5_000

DELETED = "This message was deleted."

# Each shown message as [author, body]. innerText, not textContent: it keeps the line breaks a <br> makes.
# A deleted message is its marker, without an author; one open for editing has neither (its text is in the box).
SHOWN_MESSAGES = """() => [...document.querySelectorAll("#message-list > li.message")].map(
  (li) => [li.querySelector(".author")?.innerText ?? "", li.querySelector(".body")?.innerText ?? ""]
)"""

# Everything the announcer says, as it says it (it empties itself a moment before each announcement).
LISTEN_TO_ANNOUNCER = """() => {
  const heard = (window.__announced = []);
  const announcer = document.getElementById("announcer");
  new MutationObserver(() => { if (announcer.textContent) heard.push(announcer.textContent); })
    .observe(announcer, {childList: true, characterData: true, subtree: true});
}"""

# Whether the tab is in the background, as the page sees it (a test cannot really switch tabs away).
SET_HIDDEN = """(hidden) => {
  Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def unique(label: str) -> str:
    """A name no other test (on this shared server) has used."""
    return f"{label}-{uuid.uuid4().hex[:8]}"


class Person:
    """Someone using the chat in a browser tab of their own."""

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        *,
        javascript_enabled: bool = True,
        obey_csp: bool = False,
        timezone_id: str | None = None,
    ) -> None:
        # The page's Content-Security-Policy forbids eval, and Playwright evaluates the strings
        # `wait_until` is given; most tests set the policy aside, test_csp.py keeps it.
        self.context: BrowserContext = browser.new_context(
            base_url=base_url, java_script_enabled=javascript_enabled, bypass_csp=not obey_csp, timezone_id=timezone_id
        )
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.javascript_enabled = javascript_enabled
        self.username = ""
        self.display_name = ""

    def close(self) -> None:
        self.context.close()

    def another_tab(self) -> "Person":
        """The same person, signed in in the same browser, in a tab of its own."""
        tab = copy.copy(self)
        tab.page = self.context.new_page()
        return tab

    # Finding things on the page, the way a person (or a screen reader) would.

    @property
    def composer(self) -> Locator:
        return self.page.get_by_role("textbox", name="Message", exact=True)

    @property
    def messages(self) -> Locator:
        return self.page.locator("#message-list > li.message")

    @property
    def composer_error(self) -> Locator:
        return self.page.locator("#composer-fields [role=alert]")

    @property
    def edit_box(self) -> Locator:
        return self.page.get_by_role("textbox", name="Edit your message", exact=True)

    @property
    def edit_error(self) -> Locator:
        return self.page.locator(".edit-form [role=alert], .edit-page [role=alert]")

    def message(self, text: str) -> Locator:
        """The message (its list item) that reads exactly `text`."""
        body = self.page.locator(".body", has_text=re.compile(f"^{re.escape(text)}$"))
        return self.messages.filter(has=body)

    def message_id(self, text: str) -> str:
        """The id of the message that reads `text`: it keeps its id through edits and its deletion."""
        message_id = self.message(text).get_attribute("id")
        assert message_id, f"no message reads {text!r}"
        return message_id

    # Every copy of a message carries both; the page's own style shows each to whom it applies.
    def edit_control(self, text: str) -> Locator:
        return self.message(text).get_by_role("link", name="Edit", exact=True, include_hidden=True)

    def delete_control(self, text: str) -> Locator:
        return self.message(text).get_by_role("link", name="Delete", exact=True, include_hidden=True)

    def wait_until(self, condition: str, arg: Any = None, *, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        """Wait until the JavaScript function `condition` (given `arg`) is true in the page, through navigations.

        This asks from here, every 50 ms, rather than with wait_for_function, which asks from inside the page on
        the page's own timers: a page without JavaScript runs no timers, so it would ask once and never again,
        and whether that once came after the page had loaded was a matter of luck (CI lost that race).
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            try:
                if self.page.evaluate(condition, arg):
                    return
            except PlaywrightError as error:  # the page navigated while it was asked: ask the next one
                if "context was destroyed" not in str(error) and "navigat" not in str(error):
                    raise
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout_ms:.0f} ms: {condition}")
            self.page.wait_for_timeout(50)

    def shown_messages(self) -> list[tuple[str, str]]:
        """(author, text) of every message in the list, oldest first."""
        return [(author, body) for author, body in self.page.evaluate(SHOWN_MESSAGES)]

    def message_texts(self) -> list[str]:
        return [body for _author, body in self.shown_messages()]

    # Doing things.

    def visit(self, path: str) -> None:
        self.page.goto(path)

    def sign_up(self, name: str, display_name: str | None = None) -> None:
        """Create an account (username from `name`, made unique) and end up signed in, in the lobby."""
        self.username = unique(re.sub(r"[^\w]", "", name.lower())[:20] or "person")
        self.display_name = display_name or self.username
        self.visit("/accounts/signup/")
        self.page.get_by_label("Username", exact=True).fill(self.username)
        if display_name is not None:
            self.page.get_by_label("Display name", exact=True).fill(display_name)
        self.page.get_by_label("Password", exact=True).fill(PASSWORD)
        self.page.get_by_label("Password confirmation", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Create account").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Rooms")

    def enter_room(self, name: str) -> None:
        """Type a room's name in the lobby and go in; with JavaScript, wait until the room is live."""
        self.visit("/")
        self.page.get_by_label("What chat room would you like to enter?").fill(name)
        self.page.get_by_role("button", name="Enter", exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(name)
        self.expect_live()

    def open_room(self, url: str) -> None:
        """Go straight to a room's address (as someone following a link)."""
        self.visit(url)
        expect(self.page.get_by_role("log")).to_be_visible()

    def expect_live(self) -> None:
        """With JavaScript, the room's status region says the socket is open: from now on, messages arrive live."""
        if self.javascript_enabled:
            expect(self.page.get_by_role("status")).to_have_text("Connected.")

    def use_slow_connection(self) -> "SlowConnection":
        """From now on, the room socket's answers wait until the test lets them through (call before entering)."""
        connection = SlowConnection()
        self.page.route_web_socket(re.compile(r"/ws/rooms/"), connection.route)
        return connection

    @property
    def menu(self) -> Locator:
        """The header's one menu (account, search, mentions, settings, language, sign out): a disclosure."""
        return self.page.locator("details.menu")

    @property
    def menu_button(self) -> Locator:
        """The menu's button: its <summary> (a disclosure button to assistive technology, not to Playwright)."""
        return self.menu.locator(":scope > summary")

    def open_menu(self) -> None:
        """Open the header's menu, if it is not open already, by its button (it works without JavaScript)."""
        if not self.menu.evaluate("(menu) => menu.open"):
            self.menu_button.click()
        expect(self.page.locator("#language")).to_be_visible()

    def sign_out(self) -> None:
        self.open_menu()
        self.page.get_by_role("button", name="Sign out").click()

    def choose_language(self, code: str, button: str = "Change language") -> None:
        """Choose a language from the header's menu (named as the page now names its button)."""
        self.open_menu()
        self.page.locator("#language").select_option(code)
        self.page.get_by_role("button", name=button).click()

    def send_message(self, text: str) -> None:
        """Type into the composer, press Enter, and wait for the server's answer (the composer's fields, naming
        the send they answer), so that what the test does next starts from the page the sender will see."""
        assert self.javascript_enabled, "without JavaScript, Enter starts a new line: use send_message_with_button"
        answered_before = self.answered_send()
        self.composer.fill(text)
        self.composer.press("Enter")
        self.wait_until(
            "(before) => document.getElementById('composer-fields').dataset.answers !== before", answered_before
        )

    def answered_send(self) -> str | None:
        """The client id of the send the composer last answered for (None before any answer)."""
        answers: str | None = self.page.locator("#composer-fields").get_attribute("data-answers")
        return answers

    def send_message_with_button(self, text: str) -> None:
        """Type into the composer and click Send (without JavaScript: a plain form POST)."""
        self.composer.fill(text)
        self.page.get_by_role("button", name="Send", exact=True).click()

    def open_edit_box(self, text: str) -> None:
        """With JavaScript: Edit on one's message that reads `text` opens the edit box in its place."""
        assert self.javascript_enabled, "without JavaScript, Edit is a page of its own: use edit_message"
        self.edit_control(text).click()
        expect(self.edit_box).to_be_focused()

    def edit_message(self, text: str, new_text: str) -> None:
        """Change one's message that reads `text` to read `new_text`, and wait until it does.

        With JavaScript the box opens in the message's place and Enter saves; without, Edit is a page
        whose form posts, then leads back to the message in the room."""
        if self.javascript_enabled:
            self.open_edit_box(text)
            self.edit_box.fill(new_text)
            self.edit_box.press("Enter")
            expect(self.edit_box).to_have_count(0)
        else:
            self.edit_control(text).click()
            expect(self.page.get_by_role("heading", level=1)).to_have_text("Edit your message")
            self.edit_box.fill(new_text)
            self.page.get_by_role("button", name="Save", exact=True).click()
            expect(self.page.get_by_role("log")).to_be_visible()
        self.expect_edited(new_text)

    def delete_message(self, text: str) -> str:
        """Delete one's message that reads `text`, saying yes when asked to be sure; returns the message's id.

        With JavaScript the browser asks (a confirm dialog); without, Delete is a page that asks."""
        message_id = self.message_id(text)
        if self.javascript_enabled:
            self.page.once("dialog", lambda dialog: dialog.accept())
            self.delete_control(text).click()
        else:
            self.delete_control(text).click()
            expect(self.page.get_by_role("heading", level=1)).to_have_text("Delete this message?")
            self.page.get_by_role("button", name="Delete message", exact=True).click()
        self.expect_deleted(message_id)
        return message_id

    def reaction(self, text: str, emoji: str) -> Locator:
        """The toggle of `emoji` under the message that reads `text` (one per emoji given; none before)."""
        return self.message(text).locator(f'.reaction button[value="{emoji}"]')

    def react(self, text: str, emoji: str) -> None:
        """Toggle one's `emoji` on the message that reads `text`: its button if someone gave it already, else
        from "Add reaction", quick or typed; and wait for the answer. Without JavaScript each is a POST that
        leads back to the message; with it, the message is replaced in place (an emoji refused: said above)."""
        message = self.message(text)
        shown = self.reaction(text, emoji)
        if not shown.count() and message.locator(".reaction-picker[open]").count() == 0:
            message.locator("summary", has_text="Add reaction").click()
        quick = message.get_by_role("button", name=f"React with {emoji}", exact=True)
        if self.javascript_enabled:
            with self.page.expect_response(lambda response: response.url.endswith("/react/")) as answer:
                self._press_reaction(message, shown, quick, emoji)
            if answer.value.ok:  # the list closes once used
                expect(message.locator(".reaction-picker[open]")).to_have_count(0)
        else:
            self._press_reaction(message, shown, quick, emoji)
            expect(self.page.get_by_role("log")).to_be_visible()

    def _press_reaction(self, message: Locator, shown: Locator, quick: Locator, emoji: str) -> None:
        if shown.count():
            shown.click()
        elif quick.count():
            quick.click()
        else:
            message.get_by_role("textbox", name="Any emoji", exact=True).fill(emoji)
            message.get_by_role("button", name="React", exact=True).click()

    def expect_reaction(self, text: str, emoji: str, *, name: str, pressed: bool) -> None:
        """The message shows `emoji` with its count, named to assistive technology as `name` ("2 people reacted
        with 👍: Ana and you"), pressed when it is this person's own."""
        toggle = self.reaction(text, emoji)
        expect(toggle).to_have_accessible_name(name)
        expect(toggle).to_have_attribute("aria-pressed", "true" if pressed else "false")

    def hide_tab(self) -> None:
        """As if the person switched to another tab: the page is hidden, and says so."""
        self.page.evaluate(SET_HIDDEN, True)

    def show_tab(self) -> None:
        self.page.evaluate(SET_HIDDEN, False)

    def listen_to_announcer(self) -> None:
        """From now on, keep everything the screen-reader announcer says (see `announcements`)."""
        self.page.evaluate(LISTEN_TO_ANNOUNCER)

    def announcements(self) -> list[str]:
        """What the announcer has said since `listen_to_announcer`, in order."""
        return [str(text) for text in self.page.evaluate("window.__announced")]

    # Expecting things.

    def expect_messages(self, texts: list[str]) -> None:
        """Wait until the list shows exactly these texts, in this order (DELETED for a deleted message's marker)."""
        try:
            self.wait_until(
                f"(texts) => JSON.stringify(({SHOWN_MESSAGES})().map(([, body]) => body)) === JSON.stringify(texts)",
                texts,
            )
        except AssertionError as error:
            raise AssertionError(f"the list shows {self.message_texts()!r}, not {texts!r}") from error

    def expect_edited(self, text: str) -> None:
        """The message reads `text`, once, and says it was edited with a link to its earlier versions."""
        self.expect_message(text)
        expect(self.message(text).get_by_role("link", name="(edited)", exact=True)).to_be_visible()

    def expect_offered(self, text: str, *, edit: bool, delete: bool) -> None:
        """Whether the message that reads `text` offers this person to edit it, and to delete it."""
        for control, offered in ((self.edit_control(text), edit), (self.delete_control(text), delete)):
            expect(control).to_have_count(1)
            if offered:
                expect(control).to_be_visible()
            else:
                expect(control).to_be_hidden()

    def expect_deleted(self, message_id: str) -> None:
        """The message with this id is now the marker, in its place, with nothing left of its text or controls."""
        item = self.page.locator(f"#message-list > li#{message_id}")
        expect(item).to_have_class(re.compile(r"\bdeleted\b"))
        expect(item).to_have_text(DELETED)
        expect(item.get_by_role("link")).to_have_count(0)

    def expect_message(self, text: str, *, author: str | None = None) -> None:
        """Wait until a message with exactly this text is shown, then insist it is shown exactly once."""
        try:
            self.wait_until(f"({SHOWN_MESSAGES})().some(([, body]) => body === {json.dumps(text)})")
        except AssertionError as error:
            raise AssertionError(f"{text!r} never appeared; the list shows {self.shown_messages()!r}") from error
        shown = [(who, body) for who, body in self.shown_messages() if body == text]
        assert len(shown) == 1, f"{text!r} is shown {len(shown)} times: {self.shown_messages()!r}"
        if author is not None:
            assert shown[0][0] == author, f"{text!r} is shown as written by {shown[0][0]!r}, not {author!r}"

    def check_accessibility(self) -> None:
        """Run axe-core on the page as it is now and fail with every violation found."""
        assert self.javascript_enabled, "axe-core needs JavaScript: it cannot run in a page without it"
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=AXE_SCRIPT)
        results: dict[str, Any] = self.page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations: list[dict[str, Any]] = results["violations"]
        dark = self.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert not violations, describe_violations(f"{self.page.url} ({'dark' if dark else 'light'})", violations)

    def check_accessibility_in_light_and_dark(self) -> None:
        """axe-core twice: once as the page looks by default, once in the dark colour scheme."""
        self.check_accessibility()
        self.page.emulate_media(color_scheme="dark")
        try:
            self.check_accessibility()
        finally:
            self.page.emulate_media(color_scheme="light")

    def save_screenshot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} kind(s) of violation on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


class SlowConnection:
    """A slow network, made deterministic: what the server sends waits in here until released.

    It also counts the page's connection attempts, and can close the page's socket with any code,
    as a server would.
    """

    def __init__(self) -> None:
        self.holding = False
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        self.delivered: list[tuple[WebSocketRoute, str | bytes]] = []
        self.cut_off = False
        self.addresses: list[str] = []  # of every connection attempt, in order
        self.current: WebSocketRoute | None = None
        self.current_server_side: WebSocketRoute | None = None

    @property
    def attempts(self) -> int:
        return len(self.addresses)

    def route(self, page_side: WebSocketRoute) -> None:
        self.addresses.append(page_side.url)
        if self.cut_off:
            page_side.close(code=1012, reason="restart")  # still away: the page will try again
            return
        self.current = page_side
        server_side = page_side.connect_to_server()  # what the page sends goes straight through
        self.current_server_side = server_side

        def from_server(message: str | bytes) -> None:
            self.delivered.append((page_side, message))
            if self.holding:
                self.held.append((page_side, message))
            else:
                page_side.send(message)

        server_side.on_message(from_server)

    def hold(self) -> None:
        self.holding = True

    def deliver_again(self, containing: str) -> None:
        """Send the page, once more, the last frame from the server that contained this text."""
        page_side, message = next(
            (side, message) for side, message in reversed(self.delivered) if containing in str(message)
        )
        page_side.send(message)

    def drop(self) -> None:
        """Cut the page's socket as a restarting server would (1012), and refuse it until `restore`.

        Whatever was held is lost with the connection, as it would be on a real network."""
        self.cut_off = True
        self.close_page_side(1012)

    def close_page_side(self, code: int) -> None:
        """Close the page's socket with `code`, as the server would; what was held is lost.

        The server's end closes too, as over a real network: else it would go on receiving what the
        room says, and hand it to the page after all."""
        assert self.current is not None, "the page never connected"
        self.holding = False
        self.held.clear()
        self.current.close(code=code, reason="closed by the test")
        if self.current_server_side is not None:
            self.current_server_side.close(code=1001, reason="the page went away")

    def restore(self) -> None:
        """Let the page's next reconnection attempt through."""
        self.cut_off = False

    def release(self) -> None:
        self.holding = False
        for page_side, message in self.held:
            page_side.send(message)
        self.held.clear()


class People:
    """Everyone a test meets; their tabs are closed when the test ends."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.everyone: list[Person] = []

    def new(self, *, javascript_enabled: bool = True, obey_csp: bool = False, timezone_id: str | None = None) -> Person:
        """Someone who has not signed up yet (in the machine's time zone, or `timezone_id`'s)."""
        person = Person(
            self.browser,
            self.base_url,
            javascript_enabled=javascript_enabled,
            obey_csp=obey_csp,
            timezone_id=timezone_id,
        )
        self.everyone.append(person)
        return person

    def signed_up(
        self,
        name: str,
        *,
        display_name: str | None = None,
        javascript_enabled: bool = True,
        timezone_id: str | None = None,
    ) -> Person:
        person = self.new(javascript_enabled=javascript_enabled, timezone_id=timezone_id)
        person.sign_up(name, display_name)
        return person

    def close(self) -> None:
        for person in self.everyone:
            person.close()

"""Formatted messages in the browser: Markdown's safe subset shows, and nothing typed ever runs."""

from playwright.sync_api import expect

from tests.browser.people import People, unique
from tests.messages.test_formatting import CORPUS

ALLOWED_IN_A_BODY = """() => [...document.querySelectorAll('#message-list .body *')].filter((element) =>
  !['P', 'BR', 'EM', 'STRONG', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'A'].includes(element.tagName)
  || [...element.attributes].some((attribute) => !['href', 'rel', 'start'].includes(attribute.name))
  || (element.tagName === 'A' && !/^(https?:|mailto:)/i.test(element.getAttribute('href')))
).map((element) => element.outerHTML)"""


def test_the_xss_corpus_reaches_the_other_page_inert_and_the_subset_is_formatted(people: People) -> None:
    ada, ben = people.signed_up("Ada"), people.signed_up("Ben")
    room = unique("Format")
    ada.enter_room(room)
    ben.enter_room(room)
    ben.page.evaluate("window.__xss = undefined")

    senders = [ada, *(people.signed_up(f"Sender{n}") for n in range(3))]
    for sender in senders[1:]:
        sender.enter_room(room)
    hostile = [text for text in CORPUS if len(text) < 200][:24]
    for n, text in enumerate(hostile):  # ten a sender, within the rate limit
        senders[n % len(senders)].send_message(text)
    ada.send_message("**bold** and https://example.com/page")

    expect(ben.page.locator("#message-list .body strong").last).to_have_text("bold")
    link = ben.page.get_by_role("link", name="https://example.com/page")
    expect(link).to_have_attribute("rel", "nofollow noopener ugc")
    assert ben.page.evaluate(ALLOWED_IN_A_BODY) == []
    assert ben.page.evaluate("window.__xss") is None
    ben.page.reload()  # the page as served, not only as broadcast
    assert ben.page.evaluate(ALLOWED_IN_A_BODY) == []
    ben.check_accessibility_in_light_and_dark()


def test_the_composer_says_how_to_format_behind_a_disclosure(people: People) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Formatting help"))
    help_list = ada.page.locator(".formatting-help ul")
    expect(help_list).to_be_hidden()

    ada.page.locator(".formatting-help > summary").focus()
    ada.page.keyboard.press("Enter")

    expect(help_list).to_be_visible()
    expect(help_list).to_contain_text("**strong**")
    ada.check_accessibility_in_light_and_dark()


BULLETS = (
    """(selector) => [...document.querySelectorAll(selector)].map((item) => getComputedStyle(item).listStyleType)"""
)


def test_a_list_in_a_message_has_solid_bullets_and_a_list_within_it_hollow_ones(people: People) -> None:
    """A message is an item of the room's list; the list in it is not drawn as a list within a list."""
    ada = people.signed_up("Ada")
    room = unique("Lists")
    ada.enter_room(room)
    ada.send_message("- one\n- two\n  - within two\n\n1. first")

    expect(ada.page.locator("#message-list .body li")).to_have_count(4)
    assert ada.page.evaluate(BULLETS, "#message-list .body > ul > li") == ["disc", "disc"]
    assert ada.page.evaluate(BULLETS, "#message-list .body > ul ul > li") == ["circle"]
    assert ada.page.evaluate(BULLETS, "#message-list .body > ol > li") == ["decimal"]

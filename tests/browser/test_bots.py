"""A room's settings in a browser, where its admin makes a bot: the webhook's refusal next to its field, the
token shown once, the handle to mention it by; checked by axe-core at 1280 and 320 px, light and dark."""

import re

from playwright.sync_api import expect

from tests.browser.people import People, unique


def test_an_admin_makes_a_bot_with_a_webhook_sees_a_refusal_beside_the_field_then_the_token(people: People) -> None:
    ada = people.signed_up("Ada")
    room = unique("Deploys")
    ada.enter_room(room)
    ada.page.get_by_role("link", name="Room settings").click()
    expect(ada.page.get_by_role("heading", name="Bots")).to_be_visible()
    name = ada.page.get_by_label("Bot's name")
    webhook = ada.page.get_by_label("Webhook address (optional)")

    name.fill("Deploy bot")
    webhook.fill("http://127.0.0.1:8000/hook")
    ada.page.get_by_role("button", name="Create bot").click()

    error = "127.0.0.1 is 127.0.0.1, an address of a private, loopback or reserved network"
    expect(webhook).to_have_accessible_description(re.compile(re.escape(error)))
    expect(webhook).to_be_focused()
    expect(webhook).to_have_value("http://127.0.0.1:8000/hook")  # what was typed is kept
    for width in (1280, 320):
        ada.page.set_viewport_size({"width": width, "height": 900})
        ada.check_accessibility_in_light_and_dark()

    webhook.fill("https://93.184.215.14/hooks/chat")
    ada.page.get_by_role("button", name="Create bot").click()

    shown = ada.page.get_by_role("status").filter(has_text="Copy it now")
    expect(shown).to_contain_text("can post here with this token")
    expect(shown).to_contain_text(re.compile(r"Mention it as @bot-[0-9a-f]+\."))
    expect(ada.page.get_by_text("Mentions go to https://93.184.215.14/hooks/chat")).to_be_visible()
    for width in (1280, 320):
        ada.page.set_viewport_size({"width": width, "height": 900})
        ada.check_accessibility_in_light_and_dark()
        # The token and the curl line break rather than push the page sideways (WCAG 1.4.10, reflow).
        assert ada.page.evaluate("document.documentElement.scrollWidth") <= width
    ada.save_screenshot("bot-made-320")

    # Its webhook changed later: refused beside the field, then emptied.
    ada.page.get_by_text("Webhook", exact=True).click()
    address = ada.page.get_by_label("Webhook address", exact=True)
    expect(address).to_have_value("https://93.184.215.14/hooks/chat")
    address.fill("http://10.0.0.5/hook")
    ada.page.get_by_role("button", name="Save address").click()

    address = ada.page.get_by_label("Webhook address", exact=True)
    expect(address).to_have_accessible_description(re.compile(re.escape("10.0.0.5 is 10.0.0.5")))
    expect(address).to_be_focused()
    expect(address).to_have_value("http://10.0.0.5/hook")
    expect(ada.page.get_by_text("Mentions go to https://93.184.215.14/hooks/chat")).to_be_visible()  # kept
    for width in (1280, 320):
        ada.page.set_viewport_size({"width": width, "height": 900})
        ada.check_accessibility_in_light_and_dark()
        assert ada.page.evaluate("document.documentElement.scrollWidth") <= width
        ada.save_screenshot(f"bot-webhook-refused-{width}")

    address.fill("")
    ada.page.get_by_role("button", name="Save address").click()
    expect(ada.page.get_by_text("Mentions of Deploy bot are no longer sent anywhere.")).to_be_visible()
    expect(ada.page.get_by_text("Mentions go to")).to_have_count(0)

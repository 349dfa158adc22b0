"""Attachments in real browsers: an image attached in one page appears live in another with its thumbnail and
alt text; a refusal is said next to its field; the attach form and a room with an attachment are accessible."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.attachments import image_bytes
from tests.browser.people import People, Person, unique

pytestmark = pytest.mark.browser


def attach(person: Person, path: Path, *, alt: str = "", caption: str = "") -> None:
    """Open Attach beside the message box (unless it is open, or this is the form's own page), choose the file,
    describe it, and send it."""
    closed = person.page.locator("#attach:not([open]) > summary")
    if closed.count():
        closed.click()
    person.page.get_by_label("File", exact=True).set_input_files(path)
    person.page.get_by_label("Alt text (required for images)").fill(alt)
    person.page.get_by_label("Caption (optional)").fill(caption)
    person.page.get_by_role("button", name="Send with file").click()


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "floor plan.png"
    path.write_bytes(image_bytes("PNG", (960, 640)))
    return path


def test_an_image_attached_in_one_page_appears_live_in_another_with_its_thumbnail_and_alt_text(
    people: People, plan: Path
) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Plans")
    ada.enter_room(room)
    bob.enter_room(room)
    bob.listen_to_announcer()

    attach(ada, plan, alt="The floor plan of the second storey", caption="the **new** plan")

    image = bob.page.get_by_role("img", name="The floor plan of the second storey")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("width", "480")
    expect(image).to_have_attribute("height", "320")
    expect(image).to_have_attribute("loading", "lazy")
    # Shown at once at its size (width and height); its pixels arrive a moment later.
    bob.wait_until("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    assert bob.page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 480, "the thumbnail loaded"
    link = bob.page.get_by_role("link", name="The floor plan of the second storey")
    assert (link.get_attribute("href") or "").endswith("/file/")
    expect(bob.page.locator(".message .body strong")).to_have_text("new")
    expect(ada.page.get_by_role("img", name="The floor plan of the second storey")).to_be_visible()
    expect(ada.page.locator("#attach")).not_to_have_attribute("open", "")  # closed again once sent
    expect(ada.page.locator("#attach > summary")).to_be_focused()  # where the person was, to attach another
    expect(ada.page.locator(".message")).to_have_count(1)  # the thumbnail replaced the message, not added one
    # Said once, with what the image shows; its thumbnail's arrival (a replacement) is not news.
    bob.wait_until("() => window.__announced.length > 0")
    bob.page.wait_for_timeout(1500)
    assert bob.announcements() == ["Ada: the new plan image: The floor plan of the second storey"]
    bob.check_accessibility_in_light_and_dark()


def test_an_image_without_alt_text_is_refused_with_the_error_next_to_the_field(people: People, plan: Path) -> None:
    ada = people.signed_up("Ada", display_name="Ada")
    ada.enter_room(unique("No alt"))

    attach(ada, plan, alt="")

    alt_text = ada.page.get_by_label("Alt text (required for images)")
    expect(alt_text).to_have_attribute("aria-invalid", "true")
    expect(alt_text).to_be_focused()
    error = ada.page.locator("#attach-alt_text_error")
    expect(error).to_contain_text("alt text is required, for people who cannot see it")
    expect(ada.page.get_by_role("alert").filter(has=error)).to_have_count(1)  # announced as it appears
    assert "attach-alt_text_error" in (alt_text.get_attribute("aria-describedby") or "")
    expect(ada.page.locator(".message")).to_have_count(0)
    file_field = ada.page.get_by_label("File", exact=True)
    assert file_field.evaluate("(input) => input.files.length") == 1, "the file chosen is kept for the next try"
    ada.check_accessibility_in_light_and_dark()

    alt_text.fill("A plan at last")
    ada.page.get_by_role("button", name="Send with file").click()
    expect(ada.page.get_by_role("img", name="A plan at last")).to_be_visible()
    expect(alt_text).to_have_value("")  # a fresh form once sent
    assert file_field.evaluate("(input) => input.files.length") == 0


def test_the_attach_form_says_its_limits_before_anything_is_sent_and_is_accessible(people: People) -> None:
    ada = people.signed_up("Ada", display_name="Ada")
    ada.enter_room(unique("Limits"))

    ada.page.get_by_text("Attach", exact=True).click()

    file_field = ada.page.get_by_label("File", exact=True)
    expect(file_field).to_be_visible()
    expect(file_field).to_have_accessible_description(
        "Images (PNG, JPEG, GIF or WebP), PDF or plain text, up to 10.0 MB."
    )
    ada.check_accessibility_in_light_and_dark()

    ada.page.goto(ada.page.url.split("?")[0] + "attach/")  # the form's own page, where it answers without JavaScript
    expect(ada.page.get_by_role("heading", level=1)).to_have_text("Attach a file")
    ada.check_accessibility_in_light_and_dark()


RECONNECT_TIMEOUT_MS = 15_000  # hx-ws retries after 0.5 s, 1 s, 2 s..., each give or take 30 %


def test_an_image_attached_while_a_page_was_away_reaches_it_on_reconnecting(people: People, plan: Path) -> None:
    ada, bob = people.signed_up("Ada", display_name="Ada"), people.signed_up("Bob", display_name="Bob")
    room = unique("Away")
    connection = bob.use_slow_connection()
    ada.enter_room(room)
    bob.enter_room(room)

    connection.drop()
    expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    attach(ada, plan, alt="A plan sent while Bob was away")
    expect(ada.page.get_by_role("img", name="A plan sent while Bob was away")).to_be_visible()
    connection.restore()

    expect(bob.page.get_by_role("status")).to_have_text("Connected.", timeout=RECONNECT_TIMEOUT_MS)
    expect(bob.page.get_by_role("img", name="A plan sent while Bob was away")).to_be_visible()
    expect(bob.page.locator(".message")).to_have_count(1)


def test_attaching_without_javascript_posts_the_form_and_comes_back_to_the_room(people: People, plan: Path) -> None:
    nia = people.signed_up("Nia", display_name="Nia", javascript_enabled=False)
    nia.enter_room(unique("No script"))

    attach(nia, plan, alt="", caption="my plan")  # refused: the form's own page, with the error
    expect(nia.page.get_by_role("heading", level=1)).to_have_text("Attach a file")
    expect(nia.page.locator("#attach-alt_text_error")).to_contain_text("alt text is required")

    attach(nia, plan, alt="Nia's plan", caption="my plan")
    expect(nia.page.get_by_role("img", name="Nia's plan")).to_be_visible()
    expect(nia.page.locator(".message .body")).to_have_text("my plan")


def test_a_file_too_large_is_said_so_when_chosen_and_never_sent(people: People, plan: Path, tmp_path: Path) -> None:
    ada = people.signed_up("Ada")
    ada.enter_room(unique("Large"))
    sent: list[str] = []
    ada.page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    ada.page.locator("#attach > summary").click()
    field = ada.page.get_by_label("File", exact=True)

    huge = tmp_path / "huge.pdf"
    huge.write_bytes(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    field.set_input_files(huge)

    error = "This file is larger than 10.0 MB, the most a file can be. Choose a smaller one."
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\battach-file_error\b"))
    expect(ada.page.locator("#attach-file_error")).to_have_text(error)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(ada.page.get_by_role("alert").filter(has_text=error)).to_be_visible()
    assert field.evaluate("(input) => input.files.length") == 0, "let go of, so that it cannot be sent"
    ada.check_accessibility()

    field.set_input_files(plan)
    expect(ada.page.get_by_role("alert").filter(has_text=error)).to_have_count(0)
    expect(field).not_to_have_attribute("aria-invalid", "true")
    assert not [url for url in sent if url.endswith("/attach/")]

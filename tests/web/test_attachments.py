"""Attaching through the web: the multipart form without JavaScript and with htmx, and serving the files
to the room's readers alone, never as a page of ours."""

import logging
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.http import FileResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from rooms.models import Attachment, Message, Room, User
from rooms.people.membership import create_private_room
from rooms.web.uploads import FORM_ALLOWANCE
from tests.attachments import HTML, PDF, image_bytes, photo_with_gps, png, stored_files, upload
from tests.conftest import MakeUser, page_as_any_address_gives_it, say, signed_in

HTMX = {"HX-Request": "true"}
ATTACH = "/rooms/design/attach/"


def served(client: Client, address: str) -> Any:
    """The answer to a GET of `address`, its file (if any) read, which closes it (the test client's wrapper)."""
    response = client.get(address)
    if isinstance(response, FileResponse):
        response.content_read = b"".join(response.streaming_content)
    return response


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def posted(client: Client, file: object, *, alt: str = "", body: str = "", **headers: str) -> object:
    return client.post(ATTACH, {"file": file, "alt_text": alt, "body": body}, headers=headers)


def test_the_composer_offers_attach_beside_send_with_the_limits_said_before_anything_is_sent(
    design: Room, ana: User
) -> None:
    page = text_of(signed_in(ana).get("/rooms/design/"))

    assert '<details id="attach" class="attach">' in page
    assert '<svg class="attach-icon" aria-hidden="true"' in page
    assert "</svg> Attach</summary>" in page
    assert f'enctype="multipart/form-data" action="{ATTACH}"' in page
    assert 'hx-post="/rooms/design/attach/"' in page
    assert "Images (PNG, JPEG, GIF or WebP), PDF or plain text, up to 10.0\xa0MB." in page
    assert 'aria-describedby="attach-file_helptext"' in page


def test_without_javascript_an_attachment_is_posted_then_the_room_shows_it(design: Room, ana: User) -> None:
    client = signed_in(ana)

    response = posted(client, upload("minutes.pdf", PDF, "application/pdf"), body="Today's minutes")

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == "/rooms/design/"  # type: ignore[index]
    message = Message.objects.get()
    page = text_of(client.get("/rooms/design/"))
    assert (
        f'<a href="/rooms/design/messages/{message.pk}/file/"><svg class="attachment-icon" aria-hidden="true"'
    ) in page
    assert "</svg> <bdi>minutes.pdf</bdi></a>" in page
    assert f'<span class="attachment-details">PDF document, {len(PDF)} bytes</span>' in page
    assert '<div class="body" dir="auto"><p>Today\'s minutes</p></div>' in page


def test_an_image_shows_its_thumbnail_with_its_alt_text_linked_to_the_whole_image(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = signed_in(ana)
    with django_capture_on_commit_callbacks(execute=True):
        posted(client, png("plan.png", (960, 480)), alt="The floor plan, second storey")
    message = Message.objects.get()

    page = text_of(client.get("/rooms/design/"))

    address = f"/rooms/design/messages/{message.pk}/"
    assert (
        f'<a href="{address}file/"><img src="{address}thumbnail/" alt="The floor plan, second storey"'
        ' width="480" height="240" loading="lazy"></a>'
    ) in page


def test_without_javascript_a_refused_attachment_answers_with_the_form_and_the_error_next_to_the_field(
    design: Room, ana: User, uploads: Path
) -> None:
    response = posted(signed_in(ana), png(), alt="")

    assert response.status_code == 400  # type: ignore[attr-defined]
    page = text_of(response)
    assert "<title>Error: Attach a file · Design" in page
    assert 'aria-describedby="attach-alt_text_error attach-alt_text_helptext"' in page or (
        'aria-describedby="attach-alt_text_helptext attach-alt_text_error"' in page
    )
    assert 'id="attach-alt_text_error"' in page
    assert "alt text is required, for people who cannot see it" in page
    assert "Choose the file again too" in page
    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def test_with_htmx_a_refusal_reopens_the_attach_form_with_its_error_and_a_send_closes_it_again(
    design: Room, ana: User
) -> None:
    client = signed_in(ana)

    refused = posted(client, upload("page.png", HTML, "image/png"), alt="x", **HTMX)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    answer = text_of(refused)
    assert answer.lstrip().startswith('<details id="attach" class="attach" open>')
    assert "This kind of file cannot be attached." in answer

    assert "HX-Reswap" not in refused  # type: ignore[operator]  # morphed in: the file chosen stays

    sent = posted(client, png(), alt="A sketch", **HTMX)
    assert sent.status_code == 200  # type: ignore[attr-defined]
    assert sent["HX-Reswap"] == "outerHTML"  # type: ignore[index]  # a fresh form, the file and text gone
    answer = text_of(sent)
    assert answer.lstrip().startswith('<details id="attach" class="attach">')
    assert "<summary autofocus>" in answer
    assert Message.objects.count() == 1


def test_a_file_one_byte_over_the_limit_is_refused_while_it_arrives_with_the_error_next_to_the_field(
    design: Room, ana: User, settings: Settings, uploads: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100_000
    caplog.set_level(logging.INFO, logger="rooms.web.uploads")

    response = posted(signed_in(ana), upload("big.txt", b"a" * 100_001, "text/plain"), body="The long notes")

    assert response.status_code == 400  # type: ignore[attr-defined]
    page = text_of(response)
    assert 'id="attach-file_error"' in page
    assert 'aria-describedby="attach-file_error attach-file_helptext"' in page or (
        'aria-describedby="attach-file_helptext attach-file_error"' in page
    )
    assert "This file is larger than 97.7\xa0KB, the most a file can be. Choose a smaller one." in page
    assert "The long notes</textarea>" in page, "the fields sent after the file are kept"
    assert not Message.objects.exists()
    assert stored_files(uploads) == []
    (record,) = [record for record in caplog.records if record.name == "rooms.web.uploads"]
    assert isinstance(record.args, tuple)
    limit, told_by, taken = record.args
    assert (limit, told_by) == (100_000, "its bytes")
    assert isinstance(taken, int)
    assert 0 < taken < 100_001, "a chunk taken, the next one refused: the file was never kept whole"


def test_to_htmx_a_file_over_the_limit_reopens_the_attach_form_with_the_size_error(
    design: Room, ana: User, settings: Settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024

    response = posted(signed_in(ana), upload("big.txt", b"a" * 1025), **HTMX)

    assert response.status_code == 400  # type: ignore[attr-defined]
    answer = text_of(response)
    assert answer.lstrip().startswith('<details id="attach" class="attach" open>')
    assert "This file is larger than 1.0\xa0KB, the most a file can be." in answer
    assert not Message.objects.exists()


def test_a_body_whose_length_says_the_file_is_over_the_limit_is_refused_before_its_first_byte(
    design: Room, ana: User, settings: Settings, uploads: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    caplog.set_level(logging.INFO, logger="rooms.web.uploads")

    response = posted(signed_in(ana), upload("big.txt", b"a" * (1024 + FORM_ALLOWANCE + 1)))

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "This file is larger than 1.0\xa0KB" in text_of(response)
    assert stored_files(uploads) == []
    (record,) = [record for record in caplog.records if record.name == "rooms.web.uploads"]
    assert record.args == (1024, "its request's Content-Length", 0)


def test_a_file_of_just_the_limit_is_attached(design: Room, ana: User, settings: Settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100_000

    response = posted(signed_in(ana), upload("notes.txt", b"a" * 100_000))

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Attachment.objects.get().size == 100_000


def test_the_attach_form_still_needs_its_csrf_token(design: Room, ana: User, uploads: Path) -> None:
    response = posted(signed_in(ana, enforce_csrf_checks=True), upload("notes.txt", b"notes"))

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def test_a_file_is_served_as_a_download_of_what_it_is_sandboxed_and_never_sniffed(design: Room, ana: User) -> None:
    client = signed_in(ana)
    posted(client, upload("notes <b>.html", "회의 메모\n".encode(), "text/html"))
    message = Message.objects.get()

    response = served(client, f"/rooms/design/messages/{message.pk}/file/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="notes <b>.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.content_read == "회의 메모\n".encode()


def test_an_image_is_served_inline_and_a_name_of_any_script_is_escaped(design: Room, ana: User) -> None:
    client = signed_in(ana)
    posted(client, upload('사진 "1".jpg', image_bytes("JPEG"), "image/jpeg"), alt="A photo")
    message = Message.objects.get()

    response = served(client, f"/rooms/design/messages/{message.pk}/file/")

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%EC%82%AC%EC%A7%84%20%221%22.jpg"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_the_photo_the_room_is_served_says_nothing_of_where_it_was_taken_or_with_what(
    design: Room, ana: User, ben: User
) -> None:
    posted(signed_in(ana), upload("IMG_0001.jpg", photo_with_gps(), "image/jpeg"), alt="The lobby")
    message = Message.objects.get()

    response = served(signed_in(ben), f"/rooms/design/messages/{message.pk}/file/")

    assert response.status_code == 200
    assert b"Exif\x00\x00" not in response.content_read
    with Image.open(BytesIO(response.content_read)) as image:
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}, "no GPS"
        assert image.size == (800, 600)


def test_a_gif_s_thumbnail_is_served_inline_as_the_png_it_is(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = signed_in(ana)
    with django_capture_on_commit_callbacks(execute=True):
        posted(client, upload("dance.gif", image_bytes("GIF"), "image/gif"), alt="A dance")
    message = Message.objects.get()

    response = served(client, f"/rooms/design/messages/{message.pk}/thumbnail/")

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="dance (preview).png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content_read.startswith(b"\x89PNG")


def test_an_outsider_of_a_private_room_gets_the_same_404_as_for_a_file_that_does_not_exist(
    ana: User, make_user: MakeUser
) -> None:
    secret = create_private_room(user=ana, name="Secret", description="")
    signed_in(ana).post(f"/rooms/{secret.slug}/attach/", {"file": upload("plan.pdf", PDF), "body": ""})
    message = Message.objects.get()
    outsider = signed_in(make_user("eve", "Eve"))

    forbidden = served(outsider, f"/rooms/{secret.slug}/messages/{message.pk}/file/")
    missing = served(outsider, f"/rooms/{secret.slug}/messages/{message.pk + 1}/file/")
    thumbnail = served(outsider, f"/rooms/{secret.slug}/messages/{message.pk}/thumbnail/")

    assert forbidden.status_code == missing.status_code == thumbnail.status_code == 404
    pages = {page_as_any_address_gives_it(response) for response in (forbidden, missing, thumbnail)}
    assert len(pages) == 1
    assert served(signed_in(ana), f"/rooms/{secret.slug}/messages/{message.pk}/file/").status_code == 200


def test_another_reader_of_an_open_room_may_read_its_files_and_nobody_once_the_message_is_deleted(
    design: Room, ana: User, ben: User, make_user: MakeUser
) -> None:
    posted(signed_in(ana), upload("plan.pdf", PDF))
    message = Message.objects.get()
    address = f"/rooms/design/messages/{message.pk}/file/"

    assert served(signed_in(ben), address).status_code == 200
    assert served(signed_in(make_user("dan", "Dan")), address).status_code == 200, (
        "an open room: anyone signed in reads"
    )
    assert served(Client(), address).status_code == 302, "to sign in"

    signed_in(ana).post(f"/rooms/design/messages/{message.pk}/delete/")
    assert not Attachment.objects.exists()
    assert served(signed_in(ben), address).status_code == 404


def test_to_htmx_someone_who_left_the_room_is_told_so_in_the_attach_form(
    design: Room, ben: User, uploads: Path
) -> None:
    client = signed_in(ben)
    client.post("/rooms/design/leave/")

    response = posted(client, upload("plan.pdf", PDF), **HTMX)

    assert response.status_code == 403  # type: ignore[attr-defined]
    answer = text_of(response)
    assert answer.lstrip().startswith('<details id="attach" class="attach" open>')
    assert "You are not a member of this room (any more), so nothing can be sent here." in answer
    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def test_someone_who_may_only_read_a_room_cannot_attach_to_it(design: Room, make_user: MakeUser, uploads: Path) -> None:
    reader = signed_in(make_user("dan", "Dan"))

    response = reader.post(ATTACH, {"file": upload("plan.pdf", PDF), "body": "hi"})

    assert response.status_code == 403
    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def count_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/rooms/design/").status_code == 200
    return len(queries)


def test_attachments_cost_the_room_page_no_query_more(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = signed_in(ana)
    for number in range(3):
        say(design, ana, f"plain {number}")
    plain = count_queries(client)

    with django_capture_on_commit_callbacks(execute=True):
        posted(client, png(), alt="A sketch")
        posted(client, upload("minutes.pdf", PDF))
        posted(client, upload("notes.txt", b"notes"))

    assert count_queries(client) == plain, "the attachment comes with its message (a join), not a query each"

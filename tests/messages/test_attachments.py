"""Attachments: a message with a file or an image, through the one write path, its type told by its content."""

from io import BytesIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from rooms.events import MessageChanged
from rooms.messages import metadata
from rooms.messages.catch_up import render_missed
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.posting import PostResult, post_message
from rooms.messages.thumbnails import make_thumbnail
from rooms.models import Attachment, Message, Room, User
from rooms.people import membership
from tests.attachments import HTML, PDF, SVG, image_bytes, photo_with_gps, png, stored_files, upload
from tests.conftest import MakeUser, say


def attach(room: Room, user: User, file: SimpleUploadedFile | None, *, alt: str = "", body: str = "") -> PostResult:
    return post_message(
        room=room, author=user, data={"body": body, "alt_text": alt}, files={"file": file} if file else {}
    )


def errors(result: PostResult) -> dict[str, list[str]]:
    return {name: [str(error) for error in errors] for name, errors in result.form.errors.items()}


def test_an_image_with_alt_text_is_attached_to_a_message_with_its_caption(design: Room, ana: User) -> None:
    result = attach(design, ana, png("Sketch of the lobby.png"), alt="A sketch of the lobby", body="first *draft*")

    assert result.message is not None
    attachment = Attachment.objects.get(message=result.message)
    assert (attachment.name, attachment.content_type, attachment.alt_text) == (
        "Sketch of the lobby.png",
        "image/png",
        "A sketch of the lobby",
    )
    assert (attachment.width, attachment.height) == (800, 600)
    assert attachment.size == len(image_bytes("PNG"))
    assert result.message.body_html == "<p>first <em>draft</em></p>"
    assert result.message.seq == 1, "a message like any other, numbered in the room"
    assert "Sketch" not in str(attachment.file.name), "stored under a name of ours, never the sender's"


def test_an_image_without_alt_text_is_refused_with_the_error_next_to_that_field_and_nothing_is_stored(
    design: Room, ana: User, uploads: Path
) -> None:
    result = attach(design, ana, png(), alt="   ")

    assert result.message is None
    assert list(errors(result)) == ["alt_text"]
    assert "alt text is required" in errors(result)["alt_text"][0]
    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def test_a_file_needs_no_alt_text_and_its_caption_may_be_empty(design: Room, ana: User) -> None:
    result = attach(design, ana, upload("minutes.pdf", PDF, "application/pdf"))

    assert result.message is not None
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.alt_text) == ("minutes.pdf", "application/pdf", "")
    assert result.message.body == ""


def test_plain_text_is_attached_as_text_whatever_the_browser_called_it(design: Room, ana: User) -> None:
    result = attach(design, ana, upload("notes", "회의 메모\n".encode(), "text/html"))

    assert result.message is not None
    assert (Attachment.objects.get().name, Attachment.objects.get().content_type) == ("notes.txt", "text/plain")


def test_an_empty_text_without_a_file_is_still_refused(design: Room, ana: User) -> None:
    result = attach(design, ana, None, body="")

    assert result.message is None
    assert errors(result) == {"file": ["Choose a file to attach."]}


def test_a_jpeg_named_png_is_stored_and_served_as_the_jpeg_it_is(design: Room, ana: User) -> None:
    result = attach(design, ana, upload("holiday.png", image_bytes("JPEG"), "image/png"), alt="A beach")

    assert result.message is not None
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("holiday.jpg", "image/jpeg")
    assert str(attachment.file.name).endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cat.png", HTML),
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
        ("broken.png", image_bytes("PNG")[:60]),
        ("photo.bmp", image_bytes("BMP")),
    ],
)
def test_a_kind_of_file_not_on_the_list_is_refused_by_its_content_whatever_its_name(
    design: Room, ana: User, uploads: Path, name: str, content: bytes
) -> None:
    result = attach(design, ana, upload(name, content, "image/png"), alt="something")

    assert result.message is None
    assert list(errors(result)) == ["file"]
    assert errors(result)["file"][0].startswith("This kind of file cannot be attached.")
    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def test_a_file_over_the_size_limit_is_refused_saying_both_sizes(
    design: Room, ana: User, settings: Settings, uploads: Path
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024

    result = attach(design, ana, upload("big.txt", b"a" * 2048, "text/plain"))

    assert result.message is None
    assert errors(result) == {
        "file": ["This file is 2.0\xa0KB, and a file can be at most 1.0\xa0KB. Choose a smaller one."]
    }
    assert stored_files(uploads) == []


def stored_bytes(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as file:
        return bytes(file.read())


@pytest.mark.parametrize(("format_name", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png"), ("WEBP", "photo.webp")])
def test_a_photo_is_stored_without_where_it_was_taken_or_with_what(
    design: Room, ana: User, format_name: str, name: str
) -> None:
    sent = photo_with_gps(format_name)
    with Image.open(BytesIO(sent)) as image:
        assert image.getexif().get_ifd(0x8825), "the photo sent says where it was taken"

    result = attach(design, ana, upload(name, sent), alt="The lobby")

    assert result.message is not None
    attachment = Attachment.objects.get()
    content = stored_bytes(attachment)
    assert b"Exif\x00\x00" not in content
    assert b"Camera Maker" not in content
    with Image.open(BytesIO(content)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (800, 600)
    assert attachment.size == len(content) < len(sent)


@pytest.mark.parametrize("format_name", ["JPEG", "PNG", "WEBP"])
def test_a_photo_taken_sideways_is_stored_upright_its_size_that_of_the_upright_picture(
    design: Room, ana: User, format_name: str
) -> None:
    # EXIF orientation 6: turn 90° clockwise to see it upright; the left (red) half is then on top.
    sideways = image_bytes(format_name, (1200, 800), orientation=6)

    result = attach(design, ana, upload(f"photo.{format_name.lower()}", sideways), alt="The whiteboard")

    assert result.message is not None
    attachment = Attachment.objects.get()
    assert (attachment.width, attachment.height) == (800, 1200), "upright at once, before any thumbnail"
    with Image.open(BytesIO(stored_bytes(attachment))) as image:
        assert image.size == (800, 1200)
        assert dict(image.getexif()) == {}, "its orientation gone with the rest: nothing turns it again"
        rgb = image.convert("RGB")
        top, bottom = rgb.getpixel((400, 100)), rgb.getpixel((400, 1100))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[0] > 200 > top[1], "red on top"
    assert min(bottom) > 200, "white below"


def test_a_png_loses_its_text_chunks_and_keeps_its_picture(design: Room, ana: User) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ana Lim")
    info.add_text("Comment", "at home, 12 Main St", zip=True)
    info.add_itxt("Description", "집에서")
    output = BytesIO()
    Image.new("RGB", (64, 48), "red").save(output, "PNG", pnginfo=info)

    assert attach(design, ana, upload("sketch.png", output.getvalue()), alt="A sketch").message is not None

    content = stored_bytes(Attachment.objects.get())
    for chunk in (b"tEXt", b"zTXt", b"iTXt"):
        assert chunk not in content
    assert b"Ana Lim" not in content
    with Image.open(BytesIO(content)) as image:
        assert isinstance(image, PngImagePlugin.PngImageFile)
        assert image.text == {}
        assert image.convert("RGB").getpixel((10, 10)) == (255, 0, 0)


def test_a_jpeg_loses_its_xmp_and_comment_and_keeps_its_colour_profile_and_every_pixel(design: Room, ana: User) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    output = BytesIO()
    image_in = Image.new("RGB", (64, 48), "red")
    image_in.save(output, "JPEG", icc_profile=profile, comment=b"at 12 Main St", xmp=b"<x:xmpmeta>Ana Lim</x:xmpmeta>")
    sent = output.getvalue()

    assert attach(design, ana, upload("photo.jpg", sent), alt="Red").message is not None

    content = stored_bytes(Attachment.objects.get())
    assert b"Main St" not in content
    assert b"Ana Lim" not in content
    with Image.open(BytesIO(content)) as stored, Image.open(BytesIO(sent)) as original:
        assert stored.info["icc_profile"] == profile
        assert stored.tobytes() == original.tobytes(), "not encoded again: the same picture"


def test_a_gif_loses_its_comment(design: Room, ana: User) -> None:
    output = BytesIO()
    Image.new("P", (16, 16)).save(output, "GIF", comment=b"taken at 12 Main St")

    assert attach(design, ana, upload("dance.gif", output.getvalue()), alt="A dance").message is not None

    content = stored_bytes(Attachment.objects.get())
    assert b"Main St" not in content
    with Image.open(BytesIO(content)) as image:
        assert "comment" not in image.info
        assert image.size == (16, 16)


def test_what_follows_the_end_of_a_jpeg_goes_and_a_progressive_jpeg_keeps_every_scan(design: Room, ana: User) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    output = BytesIO()
    image_in = Image.new("RGB", (320, 240), "white")
    image_in.paste("red", (0, 0, 160, 240))
    image_in.save(output, "JPEG", progressive=True, exif=exif.tobytes())
    picture = output.getvalue()
    sent = picture + b"ftypmp42 a motion photo's video, taken at 37.5N"  # appended by a phone

    assert attach(design, ana, upload("photo.jpg", sent), alt="Red and white").message is not None

    content = stored_bytes(Attachment.objects.get())
    assert content.endswith(b"\xff\xd9")
    assert b"37.5N" not in content
    assert b"Camera Maker" not in content
    with Image.open(BytesIO(content)) as stored, Image.open(BytesIO(picture)) as original:
        assert stored.tobytes() == original.tobytes()


def test_an_image_that_must_be_turned_but_cannot_be_drawn_is_refused_not_a_server_error(
    design: Room, ana: User, uploads: Path
) -> None:
    cut_short = image_bytes("JPEG", (1200, 800), orientation=6)[:-3000]

    result = attach(design, ana, upload("photo.jpg", cut_short), alt="A photo")

    assert result.message is None
    assert errors(result)["file"][0].startswith("This kind of file cannot be attached.")
    assert stored_files(uploads) == []


def test_an_image_whose_structure_is_not_walked_is_encoded_again_and_walked_so_nothing_stays() -> None:
    sent = photo_with_gps("PNG")
    walk = metadata.STRIPPERS["PNG"]
    walks: list[bytes] = []

    def walk_once(content: bytes) -> bytes:
        walks.append(content)
        if len(walks) == 1:
            raise metadata.MalformedImage("a chunk longer than the file")
        return walk(content)

    with mock.patch.dict(metadata.STRIPPERS, {"PNG": walk_once}):
        stripped = metadata.strip_metadata(sent, "PNG")

    assert len(walks) == 2
    assert walks[0] == sent
    assert b"Camera Maker" not in stripped.content
    with Image.open(BytesIO(stripped.content)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (stripped.width, stripped.height) == (800, 600)


@pytest.mark.parametrize("format_name", ["JPEG", "PNG", "GIF", "WEBP"])
def test_an_image_without_metadata_is_stored_byte_for_byte_as_it_came(
    design: Room, ana: User, format_name: str
) -> None:
    sent = image_bytes(format_name)

    assert attach(design, ana, upload(f"plain.{format_name.lower()}", sent), alt="Plain").message is not None

    assert stored_bytes(Attachment.objects.get()) == sent, "nothing to remove, nothing encoded again"


def test_someone_who_may_not_write_in_a_room_cannot_attach_to_it_as_they_cannot_post(
    design: Room, make_user: MakeUser, uploads: Path
) -> None:
    cat = make_user("cat", "Cat")

    with pytest.raises(PermissionDenied):
        attach(design, cat, png(), alt="A sketch")
    with pytest.raises(PermissionDenied):
        post_message(room=design, author=cat, data={"body": "hello"})

    assert not Message.objects.exists()
    assert stored_files(uploads) == [], "nothing is stored for a refused message"


def test_a_failed_save_leaves_no_file_behind(design: Room, ana: User, uploads: Path) -> None:
    with (
        mock.patch("rooms.messages.posting.record_mentions", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        attach(design, ana, png(), alt="A sketch")

    assert not Message.objects.exists()
    assert stored_files(uploads) == []


def test_an_image_gets_an_upright_thumbnail_without_exif_as_a_numbered_change_every_page_is_sent(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # Taken with the camera on its side: EXIF orientation 6 (turn 90° clockwise to see it upright).
    photo = upload("photo.jpg", image_bytes("JPEG", (1200, 800), orientation=6), "image/jpeg")
    with mock.patch("rooms.messages.broadcast.publish") as publish, django_capture_on_commit_callbacks(execute=True):
        result = attach(design, ana, photo, alt="The whiteboard after the meeting")

    assert result.message is not None
    attachment = Attachment.objects.get()
    assert attachment.thumbnail
    assert (attachment.width, attachment.height) == (800, 1200), "its size upright"
    assert (attachment.thumbnail_width, attachment.thumbnail_height) == (320, 480)
    with attachment.thumbnail.open("rb") as file, Image.open(file) as thumbnail:
        assert thumbnail.size == (320, 480)
        assert dict(thumbnail.getexif()) == {}, "no EXIF: not the camera, not where it was"
    changes = [call.args[0] for call in publish.call_args_list if isinstance(call.args[0], MessageChanged)]
    assert [change.change for change in changes] == [1, 2], "posted, then given its thumbnail"
    assert f'src="/rooms/design/messages/{result.message.pk}/thumbnail/"' in changes[1].html["en"]
    assert 'alt="The whiteboard after the meeting"' in changes[1].html["en"]
    message = Message.objects.get()
    assert (message.seq, message.last_change) == (1, 2)


@pytest.mark.parametrize(
    "failure",
    [
        mock.patch("PIL.Image.Image.thumbnail", side_effect=OSError("image file is truncated")),
        mock.patch("rooms.messages.thumbnails.render_thumbnail", side_effect=Image.DecompressionBombError("big")),
    ],
    ids=["pillow", "bomb"],
)
def test_a_thumbnail_that_cannot_be_made_is_a_change_the_image_then_a_link_by_its_alt_text_and_size(
    design: Room,
    ana: User,
    uploads: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    failure: "mock._patch[mock.MagicMock]",
) -> None:
    with (
        failure,
        mock.patch("rooms.messages.broadcast.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = attach(design, ana, png(), alt="A sketch")

    assert result.message is not None
    message = Message.objects.get()
    attachment = Attachment.objects.get()
    assert (message.seq, message.last_change) == (1, 2), "a change of the message, numbered"
    assert not attachment.thumbnail
    assert attachment.thumbnail_failed
    assert len(stored_files(uploads)) == 1, "no half-made thumbnail left"
    changes = [call.args[0] for call in publish.call_args_list if isinstance(call.args[0], MessageChanged)]
    assert [change.change for change in changes] == [1, 2], "every open page is sent the message again"
    link = (
        f'<a href="/rooms/design/messages/{message.pk}/file/"><bdi>A sketch</bdi></a>'
        f' <span class="attachment-details">PNG image, {attachment.size / 1024:.1f} KB</span>'
    )
    assert link in changes[1].html["en"]
    assert "Preparing" not in changes[1].html["en"]
    missed = render_missed(design, after=1, quiet=True, language="en")
    assert missed is not None
    assert link in missed.html, "and a page away catches up with it"
    assert "Preparing" not in missed.html


def test_a_thumbnail_is_not_tried_again_once_it_could_not_be_made(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with (
        mock.patch("PIL.Image.Image.thumbnail", side_effect=OSError("truncated")),
        mock.patch("rooms.messages.broadcast.publish"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attach(design, ana, png(), alt="A sketch")

    with mock.patch("rooms.messages.broadcast.publish"):
        make_thumbnail.call(Attachment.objects.get().pk)  # the task run twice (a queue's retry)

    assert Message.objects.get().last_change == 2, "no change more"


def test_a_page_away_while_an_image_was_attached_catches_up_with_it_thumbnail_included(
    design: Room, ana: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    say(design, ana, "before")
    with mock.patch("rooms.messages.broadcast.publish"), django_capture_on_commit_callbacks(execute=True):
        attach(design, ana, png(), alt="A sketch of the lobby")

    missed = render_missed(design, after=1, quiet=True, language="en")

    assert missed is not None
    assert 'alt="A sketch of the lobby"' in missed.html
    assert "/thumbnail/" in missed.html


def test_editing_the_caption_keeps_the_attachment(design: Room, ana: User) -> None:
    result = attach(design, ana, upload("minutes.pdf", PDF), body="minutes")
    assert result.message is not None

    edited = edit_message(room=design, editor=ana, message_id=result.message.pk, data={"body": "the minutes"})

    assert edited.message is not None
    assert edited.message.attached is not None
    assert edited.message.attached.name == "minutes.pdf"
    assert Attachment.objects.count() == 1


def test_deleting_the_message_deletes_its_attachment_and_its_files(
    design: Room,
    ana: User,
    uploads: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with mock.patch("rooms.messages.broadcast.publish"), django_capture_on_commit_callbacks(execute=True):
        result = attach(design, ana, png(), alt="A sketch")
    assert result.message is not None
    assert len(stored_files(uploads)) == 2, "the image and its thumbnail"

    with mock.patch("rooms.messages.broadcast.publish"), django_capture_on_commit_callbacks(execute=True):
        delete_message(room=design, deleter=ana, message_id=result.message.pk)

    assert not Attachment.objects.exists()
    assert stored_files(uploads) == []
    assert Message.objects.get().is_deleted


def test_deleting_a_room_deletes_the_files_of_its_attachments_too(
    design: Room, ana: User, uploads: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with mock.patch("rooms.messages.broadcast.publish"), django_capture_on_commit_callbacks(execute=True):
        attach(design, ana, png(), alt="A sketch")
        attach(design, ana, upload("minutes.pdf", PDF))
    assert len(stored_files(uploads)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        design.delete()  # the admin's way, say

    assert stored_files(uploads) == []


def test_the_same_attachment_sent_twice_is_stored_once(design: Room, ana: User, uploads: Path) -> None:
    client_id = "6f1c3a8e-2b7d-4c1e-9a5f-0d2e8b7c6a41"

    def send() -> PostResult:
        data = {"body": "", "alt_text": "", "client_id": client_id}
        return post_message(room=design, author=ana, data=data, files={"file": upload("minutes.pdf", PDF)})

    first, again = send(), send()  # a double click

    assert first.message is not None
    assert again.message == first.message
    assert Message.objects.count() == Attachment.objects.count() == 1
    assert len(stored_files(uploads)) == 1


def test_a_member_who_joined_later_may_attach_too(design: Room, make_user: MakeUser) -> None:
    cat = make_user("cat", "Cat")
    membership.join_room(user=cat, room=design)

    assert attach(design, cat, upload("a.txt", b"hello")).message is not None
    assert default_storage.exists(str(Attachment.objects.get().file.name))

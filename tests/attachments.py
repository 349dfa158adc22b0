"""Files to attach, made on the spot: images Pillow writes, and a few liars."""

from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(
    format_name: str = "PNG", size: tuple[int, int] = (800, 600), *, orientation: int | None = None
) -> bytes:
    """An image in `format_name`, red on its left half; with an EXIF orientation (and a camera's name) if given."""
    image = Image.new("RGB", size, "white")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    output = BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation  # Orientation
        exif[0x010F] = "Camera Maker"  # Make
        image.save(output, format_name, exif=exif.tobytes())
    else:
        image.save(output, format_name)
    return output.getvalue()


def photo_with_gps(format_name: str = "JPEG", size: tuple[int, int] = (800, 600)) -> bytes:
    """A photo as a phone writes it: its camera's make and model, and where it was taken (a GPS IFD)."""
    image = Image.new("RGB", size, "white")
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps[1], gps[2] = "N", (37.0, 33.0, 59.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (126.0, 58.0, 40.0)  # GPSLongitudeRef, GPSLongitude
    output = BytesIO()
    image.save(output, format_name, exif=exif.tobytes())
    return output.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """A file as a browser sends it; its type says whatever the browser guessed, which the chat does not read."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def png(name: str = "sketch.png", size: tuple[int, int] = (800, 600)) -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG", size), "image/png")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'


def stored_files(uploads: Path) -> list[str]:
    """What is on the storage (the `uploads` fixture's folder)."""
    return sorted(str(path.relative_to(uploads)) for path in uploads.rglob("*") if path.is_file())

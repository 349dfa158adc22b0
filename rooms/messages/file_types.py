"""What an uploaded file really is, told by its content, never by its name or the browser's word for it.

The list is short on purpose, each kind recognised by what it holds:
  images  PNG, JPEG, GIF and WebP, opened and verified by Pillow, whose format decides the type;
  PDF     a document that starts with "%PDF-";
  text    plain text that decodes as UTF-8 and holds no NUL.
Anything else (HTML, SVG, archives, programs...) is refused. A name whose extension says otherwise is
not refused for it: the file is stored and served as what it is, under its name with the true extension.
"""

import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, UnidentifiedImageError

# Pillow's format name → the type the file is served as, and the extension its name is given.
IMAGE_TYPES = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
PDF = ("application/pdf", "pdf")
TEXT = ("text/plain", "txt")
# Beyond this many pixels an image is refused before it is decoded (a "decompression bomb").
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.width is not None


def sniff(file: IO[bytes]) -> FileType | None:
    """The kind of `file` if it is one of the allowed kinds, else None; the file is read from its start."""
    return _image(file) or _document(file)


def _image(file: IO[bytes]) -> FileType | None:
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(IMAGE_TYPES)) as image:
                format_name, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    return None
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        return None
    finally:
        file.seek(0)
    if format_name not in IMAGE_TYPES:
        return None
    content_type, extension = IMAGE_TYPES[format_name]
    return FileType(content_type, extension, width, height)


def _document(file: IO[bytes]) -> FileType | None:
    file.seek(0)
    content = file.read()
    file.seek(0)
    if content.startswith(b"%PDF-"):
        return FileType(*PDF)
    if b"\x00" in content:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Text that a browser would take for markup, were it ever sniffed, is refused outright: a page of ours
    # never serves it as HTML (nosniff, text/plain), but nothing is gained by keeping it.
    head = text.lstrip("\ufeff \t\r\n")[:256].lower()
    if head.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script")):
        return None
    return FileType(*TEXT)

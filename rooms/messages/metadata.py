"""An image's metadata removed before it is stored: where a photo was taken, and with what, stays with its sender.

A camera writes into a photo its GPS position, its make and serial number, the time; an editor adds
its name, a title, a comment. None of it reaches the room: the stored original is the picture alone.

Each format loses its metadata without its picture being decoded and encoded again, by walking the
file's own structure and leaving out the parts that carry metadata, every other byte kept as it was:
  JPEG  the APP1 segments (Exif, XMP), APP13 (Photoshop's IPTC) and comments (COM, the JPEG kin of
        PNG's and GIF's text); APP0 (JFIF), APP2 (the colour profile), the tables and the compressed
        picture stay;
  PNG   the eXIf, tEXt, iTXt and zTXt chunks;
  WebP  the EXIF and "XMP " chunks, and their flags in VP8X;
  GIF   comment extensions and XMP application extensions.
Whatever follows a file's end (JPEG's EOI, PNG's IEND, GIF's trailer, WebP's RIFF), such as the
video a phone appends to a "motion photo", goes too. An image with nothing of this is stored byte for
byte as it came.

Only an image turned by its EXIF orientation (a phone held on its side) is decoded: the orientation
goes with the EXIF, so the picture is turned upright first (Pillow's ImageOps.exif_transpose) and
encoded again (a JPEG at quality 95, others losslessly), then walked like any. Its width and height
are then those of the upright picture. An animation keeps its frames: it is walked, never turned.
"""

import re
import struct
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps

ORIENTATION = 0x0112
# JPEG markers (ITU T.81, table B.1).
SOI, EOI, SOS, TEM = 0xD8, 0xD9, 0xDA, 0x01
APP1, APP13, COM = 0xE1, 0xED, 0xFE
# A marker after a scan's data: FF, then anything but 00 (a stuffed FF), a restart (D0-D7) or a fill FF.
MARKER_AFTER_SCAN = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_METADATA = frozenset({b"eXIf", b"tEXt", b"iTXt", b"zTXt"})
WEBP_METADATA = frozenset({b"EXIF", b"XMP "})
# VP8X's flags (its payload's first byte): the file has EXIF, has XMP.
VP8X_EXIF, VP8X_XMP = 0x08, 0x04


class MalformedImage(ValueError):
    """The file's structure is not what its format says (Pillow read it, this walk could not)."""


@dataclass(frozen=True)
class Stripped:
    content: bytes
    width: int
    height: int


def strip_metadata(content: bytes, format_name: str) -> Stripped:
    """`content`, an image Pillow told to be `format_name` (PNG, JPEG, GIF, WEBP), without its metadata,
    upright, and its size."""
    with Image.open(BytesIO(content)) as image:
        width, height = image.size
        turned = image.getexif().get(ORIENTATION, 1) not in {1, None} and not getattr(image, "is_animated", False)
        if turned:
            # The orientation lives in the EXIF that is about to go: the picture is turned now, which
            # means decoding and encoding it again (lossy for a JPEG, at a quality that keeps it sharp).
            upright = ImageOps.exif_transpose(image)
            width, height = upright.size
            content = _encoded(upright, format_name, image.info.get("icc_profile"))
        try:
            content = STRIPPERS[format_name](content)
        except MalformedImage:
            # Pillow read it, but its structure is not walked: encoded again (its first frame, if an
            # animation), and that is walked, so that nothing of its metadata can stay.
            upright = ImageOps.exif_transpose(image)
            width, height = upright.size
            content = STRIPPERS[format_name](_encoded(upright, format_name, image.info.get("icc_profile")))
    return Stripped(content, width, height)


def _encoded(image: Image.Image, format_name: str, icc_profile: bytes | None) -> bytes:
    output = BytesIO()
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    if format_name == "JPEG":
        image.save(output, "JPEG", quality=95, **options)
    elif format_name == "WEBP":
        image.save(output, "WEBP", lossless=True, **options)
    else:  # PNG; a GIF has no EXIF to turn it
        image.save(output, format_name, **options)
    return output.getvalue()


def strip_jpeg(content: bytes) -> bytes:
    """A JPEG without its APP1, APP13 and COM segments: every other byte as it was."""
    if content[:2] != b"\xff\xd8":
        raise MalformedImage("no JPEG start")
    kept, position = [content[:2]], 2
    while True:
        if position + 2 > len(content) or content[position] != 0xFF:
            raise MalformedImage(f"no JPEG marker at {position}")
        start = position
        while position < len(content) and content[position] == 0xFF:  # a marker may be preceded by fill bytes
            position += 1
        if position >= len(content):
            raise MalformedImage("a JPEG ending in fill bytes")
        marker = content[position]
        position += 1
        if marker == EOI:
            # The end: whatever a camera or an app appended after it (a motion photo's video, say, with
            # metadata of its own) goes too.
            kept.append(content[start:position])
            return b"".join(kept)
        if marker == TEM or 0xD0 <= marker <= 0xD7:  # markers without a length
            kept.append(content[start:position])
            continue
        if position + 2 > len(content):
            raise MalformedImage("a JPEG segment without its length")
        (length,) = struct.unpack(">H", content[position : position + 2])
        end = position + length
        if length < 2 or end > len(content):
            raise MalformedImage(f"a JPEG segment longer than the file at {start}")
        if marker not in {APP1, APP13, COM}:
            kept.append(content[start:end])
        position = end
        if marker == SOS:
            # The compressed data of a scan, kept as it is, up to the next marker (a progressive JPEG has
            # several scans, with tables between them). In it, FF is followed by 00 (an FF of the data)
            # or a restart marker; without a marker after it, the file is kept to its end (cut short).
            found = MARKER_AFTER_SCAN.search(content, position)
            if found is None:
                kept.append(content[position:])
                return b"".join(kept)
            kept.append(content[position : found.start()])
            position = found.start()


def strip_png(content: bytes) -> bytes:
    """A PNG (or APNG) without its eXIf and text chunks: every other chunk as it was, its CRC included."""
    if not content.startswith(PNG_SIGNATURE):
        raise MalformedImage("no PNG signature")
    kept, position = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while position < len(content):
        if position + 8 > len(content):
            raise MalformedImage("a PNG chunk without its header")
        length, kind = struct.unpack(">I4s", content[position : position + 8])
        end = position + 12 + length  # length and type, the data, then its CRC
        if end > len(content):
            raise MalformedImage(f"a PNG chunk longer than the file at {position}")
        if kind not in PNG_METADATA:
            kept.append(content[position:end])
        position = end
        if kind == b"IEND":
            break
    return b"".join(kept)


def strip_webp(content: bytes) -> bytes:
    """A WebP without its EXIF and XMP chunks, VP8X no longer announcing them, the RIFF size made right."""
    if content[:4] != b"RIFF" or content[8:12] != b"WEBP":
        raise MalformedImage("no WebP header")
    (riff_size,) = struct.unpack("<I", content[4:8])
    riff_end = min(len(content), 8 + riff_size)  # whatever follows the RIFF goes
    chunks, position = [], 12
    while position + 8 <= riff_end:
        kind, length = struct.unpack("<4sI", content[position : position + 8])
        # A chunk is padded to an even length (a last pad byte missing is let go).
        end = min(position + 8 + length + (length & 1), riff_end)
        if position + 8 + length > riff_end:
            raise MalformedImage(f"a WebP chunk longer than the file at {position}")
        chunk = content[position:end]
        if kind == b"VP8X" and length >= 1:
            flags = chunk[8] & ~(VP8X_EXIF | VP8X_XMP)
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind not in WEBP_METADATA:
            chunks.append(chunk)
        position = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def strip_gif(content: bytes) -> bytes:
    """A GIF without its comment extensions and XMP application extensions: every other block as it was."""
    if content[:6] not in {b"GIF87a", b"GIF89a"} or len(content) < 13:
        raise MalformedImage("no GIF header")
    position = 13  # the header and the logical screen descriptor
    if content[10] & 0x80:  # a global colour table
        position += 3 * (2 ** ((content[10] & 0x07) + 1))
    kept = [content[:position]]
    while position < len(content):
        start, introducer = position, content[position]
        if introducer == 0x3B:  # the trailer: done, and whatever follows it goes
            kept.append(b"\x3b")
            break
        if introducer == 0x2C:  # an image: its descriptor, its local colour table, the LZW code size, its data
            if position + 10 > len(content):
                raise MalformedImage("a GIF image descriptor cut short")
            flags = content[position + 9]
            position += 10 + (3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0) + 1
            position = _after_sub_blocks(content, position)
            kept.append(content[start:position])
        elif introducer == 0x21:  # an extension: its label, then its data in sub-blocks
            if position + 2 > len(content):
                raise MalformedImage("a GIF extension cut short")
            label = content[position + 1]
            position = _after_sub_blocks(content, position + 2)
            first_block = content[start + 3 : start + 3 + content[start + 2]] if start + 2 < len(content) else b""
            metadata = label == 0xFE or (label == 0xFF and first_block == b"XMP DataXMP")
            if not metadata:
                kept.append(content[start:position])
        else:
            raise MalformedImage(f"no GIF block at {position}")
    return b"".join(kept)


def _after_sub_blocks(content: bytes, position: int) -> int:
    """Where the sub-blocks starting at `position` end (after their empty block)."""
    while True:
        if position >= len(content):
            raise MalformedImage("GIF sub-blocks cut short")
        size = content[position]
        position += 1 + size
        if size == 0:
            return position


STRIPPERS = {"JPEG": strip_jpeg, "PNG": strip_png, "WEBP": strip_webp, "GIF": strip_gif}

"""The attachment size limit, kept while the upload arrives rather than once it is stored whole.

Django spools an upload to memory or a temporary file, and a form sees its size only then. This handler
goes first, for the attach view alone (rooms/web/attachments.py installs it, as Django's "Modifying upload
handlers on the fly" says), and passes each chunk on to Django's own handlers until the file would go
over settings.ATTACHMENT_MAX_BYTES: then the file is skipped (SkipFile), what was spooled of it is
dropped, and its field gets a stand-in (rooms.forms.RefusedUpload) that the form refuses with its size
error, next to the field, as for any file too large. The request's Content-Length, when it says the body
is larger than the limit with room for the form's other fields, refuses the file before its first byte.

Skipping, rather than stopping the whole upload, keeps the fields sent after the file (alt text,
caption): the form comes back with them. The rest of the file is still read from the connection (and
thrown away): refusing to read it would reset the connection, and the browser would show that rather
than the error. Under ASGI, Django reads a request's body before the view runs; what this saves there is
the second copy, and the form's work on it.
"""

import logging
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict

from rooms.forms import RefusedUpload

logger = logging.getLogger(__name__)

# What the form's other fields and the multipart framing may add to a body besides the file: a body
# larger than the limit and this is refused by its Content-Length alone.
FORM_ALLOWANCE = 64 * 1024


class SizeLimit(FileUploadHandler):
    """Skips a file once it is over `limit` bytes, and remembers it (refused: field name → file name)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.body_length: int | None = None
        self.taken = 0  # bytes of the latest file passed on to the handlers after this one
        self.refused: dict[str, str] = {}

    def handle_raw_input(
        self, input_data: Any, META: dict[str, Any], content_length: int, boundary: str, encoding: str | None = None
    ) -> None:
        self.body_length = content_length or None
        return None  # the parsing is Django's

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.taken = 0
        if self.body_length is not None and self.body_length > self.limit + FORM_ALLOWANCE:
            self.refuse("its request's Content-Length")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.refuse("its bytes")
        self.taken = start + len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the file is the next handler's to make

    def refuse(self, told_by: str) -> None:
        assert self.field_name is not None
        self.refused[self.field_name] = str(self.file_name or "")
        logger.info(
            "refused an upload over %s bytes, told by %s, after taking %s of its bytes", self.limit, told_by, self.taken
        )
        raise SkipFile

    def files(self, files: "MultiValueDict[str, Any]") -> "MultiValueDict[str, Any]":
        """The request's files, a stand-in in the field of each file refused."""
        if not self.refused:
            return files
        files = files.copy()
        for field_name, file_name in self.refused.items():
            files[field_name] = RefusedUpload(file_name, self.limit)
        return files

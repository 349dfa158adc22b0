"""Attaching a file to a message, and serving it to whoever may read the room (DESIGN.md §1, §6).

The attach form posts here, with or without htmx, and goes the one way
messages are posted (rooms/messages/posting.py); the message then reaches every
page over the room's socket, like any. Without JavaScript the answer is the
room again (POST/redirect/GET), or this form's own page with its errors. A
file over the size limit is refused while it arrives, not once it is stored
whole (rooms/web/uploads.py), with the same error beside its field.

A file is served only from here, to the room's readers (rooms/access.py; the
same 404 for a file that does not exist and one the reader may not see): as
what its content is, never as HTML; inline only for the images the chat
allows, as a download for the rest; sandboxed, so that even a browser that
guessed otherwise would run nothing of it under our origin.
"""

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from rooms import access
from rooms.forms import AttachmentForm
from rooms.messages.file_types import IMAGE_TYPES
from rooms.messages.posting import post_message
from rooms.models import Room
from rooms.web.messages import from_htmx
from rooms.web.rooms import current_user, refusal_status
from rooms.web.uploads import SizeLimit

INLINE_TYPES = frozenset(content_type for content_type, _extension in IMAGE_TYPES.values())


def render_attach(
    request: HttpRequest,
    room: Room,
    form: AttachmentForm,
    *,
    status: int = 200,
    sent: bool = False,
    refusal: str = "",
) -> HttpResponse:
    """To htmx, the composer's attach disclosure (open with the errors or the `refusal`, or closed and fresh);
    else a page."""
    context = {"room": room, "attach_form": form, "sent": sent, "refusal": refusal}
    if from_htmx(request):
        return render(request, "rooms/attach.html#attach", {**context, "in_room": True}, status=status)
    return render(request, "rooms/attach.html", context, status=status)


@csrf_exempt  # only until the size limit's upload handler is in place: then checked (below)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")  # the disclosure to htmx, a page to anyone else
def attach(request: HttpRequest, slug: str) -> HttpResponseBase:
    # Before anything reads the body (CSRF's check reads the form): a file is refused as it arrives once it
    # is over the limit, rather than once it is stored whole (rooms/web/uploads.py).
    limit = SizeLimit(request, settings.ATTACHMENT_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    return attach_checked(request, slug, limit)


@csrf_protect
def attach_checked(request: HttpRequest, slug: str, limit: SizeLimit) -> HttpResponseBase:
    user = current_user(request)
    room = access.get_room(user, slug)
    if request.method == "GET":
        return render_attach(request, room, AttachmentForm())
    try:
        result = post_message(room=room, author=user, data=request.POST, files=limit.files(request.FILES))
    except PermissionDenied:
        if not from_htmx(request):
            raise  # 403, as for a message posted without JavaScript
        # Said in the form, where the person is, rather than a page of its own swapped into it.
        return render_attach(request, room, AttachmentForm(), status=403, refusal=str(NOT_A_MEMBER))
    assert isinstance(result.form, AttachmentForm)
    if result.message is not None:
        if not from_htmx(request):
            return redirect(room)
        response = render_attach(request, room, result.form, sent=True)
        # Sent: a fresh form in place of the old (a refusal is morphed in, keeping the file chosen and the
        # text typed, as the form's hx-swap says).
        response["HX-Reswap"] = "outerHTML"
        return response
    return render_attach(request, room, result.form, status=refusal_status(result.form))


NOT_A_MEMBER = _("You are not a member of this room (any more), so nothing can be sent here.")


# Nothing in a served file runs, loads or is framed, whatever a browser makes of it.
SANDBOX = {"sandbox": "", "default-src": [CSP.NONE]}  # "sandbox" alone: no exceptions


@require_GET
@csp_override(SANDBOX)
def attachment(request: HttpRequest, slug: str, pk: int, thumbnail: bool = False) -> FileResponse:
    """Message `pk`'s file (or its thumbnail), if the reader may read the room; else 404, as for none."""
    user = current_user(request)
    room = access.get_room(user, slug)
    found = get_object_or_404(access.attachments_readable_by(user), message__room=room, message_id=pk)
    stored = found.thumbnail if thumbnail else found.file
    if not stored:
        raise Http404
    inline = found.content_type in INLINE_TYPES
    content_type = found.thumbnail_type if thumbnail else found.content_type
    filename = found.name
    if thumbnail:  # its own kind: photo.gif's is photo (preview).png
        filename = f"{found.name.rsplit('.', 1)[0]} (preview).{str(stored.name).rsplit('.', 1)[-1]}"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    opened = stored.open("rb")
    response = FileResponse(opened, as_attachment=not inline, filename=filename, content_type=content_type)
    if isinstance(request, ASGIRequest):
        # Read a chunk at a time under an ASGI server, where a file's own (synchronous) iterator would be
        # read whole into memory first (Django warns); the headers FileResponse took from the file stay.
        response.streaming_content = read_in_chunks(opened)
    response["X-Content-Type-Options"] = "nosniff"
    # Only the room's readers may see it: no shared cache keeps it.
    response["Cache-Control"] = "private, max-age=3600"
    return response


async def read_in_chunks(file: "File[bytes]") -> AsyncIterator[bytes]:
    try:
        while chunk := await sync_to_async(file.read)(FileResponse.block_size):
            yield chunk
    finally:
        await sync_to_async(file.close)()

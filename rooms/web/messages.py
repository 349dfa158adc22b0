"""One message's pages: where it is, editing it, deleting it, reacting to it, and its earlier versions (DESIGN.md §6).

Each serves a plain page without JavaScript and, to htmx, only the part it
changes: the inline edit box, or the message as it now reads. Thin on
purpose: who may do what is rooms/access.py, the changes are
rooms/messages/editing.py, deleting.py and reacting.py.
"""

import functools
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rooms import access
from rooms.forms import DeleteMessageForm, EditMessageForm
from rooms.messages.changes import NoSuchMessage
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.reacting import toggle_reaction
from rooms.models import Message, Room
from rooms.web.rooms import current_user, refusal_status


def from_htmx(request: HttpRequest) -> bool:
    """Asked by htmx (django-htmx reads its header), which wants only the part that changes."""
    return bool(getattr(request, "htmx", False))


def place_of(message: Message, room: Room) -> str:
    """The room's page around this message (some before it, some after), which opens on it: its permalink's
    destination. Live, when it reaches the newest messages."""
    return f"{room.get_absolute_url()}?around={message.seq}#{message.dom_id}"


def render_message(request: HttpRequest, message: Message, room: Room, *, status: int = 200) -> HttpResponse:
    """The message as it now reads, for htmx to put in place of its element (the focus on it)."""
    return render(request, "rooms/room.html#message", {"message": message, "room": room, "focus": True}, status=status)


def changed(request: HttpRequest, message: Message, room: Room) -> HttpResponseBase:
    """After an edit or a deletion: to htmx, the message as it now reads; else back to its place (POST/redirect/GET)."""
    return render_message(request, message, room) if from_htmx(request) else redirect(place_of(message, room))


def refused_alike[**P, R: HttpResponseBase](view: Callable[P, R]) -> Callable[P, HttpResponseBase]:
    """A 404 (not theirs, another room's, deleted, unknown: all alike) as a page, or, to htmx, as one
    sentence for the page's alert region (the controls send it there: hx-status:404), the message untouched."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        request = args[0]
        assert isinstance(request, HttpRequest)
        try:
            return view(*args, **kwargs)
        except Http404:
            if not from_htmx(request):
                raise
            return render(request, "rooms/room.html#message-refused", status=404)

    return wrapped


@require_GET
@refused_alike
def message(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """A message's own address: to htmx, the message (Cancel in the edit box); else its place in the room."""
    room = access.get_room(current_user(request), slug)
    shown = access.get_message(access.messages_readable_by(current_user(request), deleted=True), room, pk)
    if from_htmx(request):
        return render_message(request, shown, room)
    return redirect(place_of(shown, room))


@require_http_methods(["GET", "POST"])
@refused_alike
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    room = access.get_room(current_user(request), slug)
    user = current_user(request)
    shown = access.get_message(access.messages_editable_by(user), room, pk)
    form = EditMessageForm(initial={"body": shown.body}, message_id=shown.pk)
    status = 200
    if request.method == "POST":
        try:
            result = edit_message(room=room, editor=user, message_id=shown.pk, data=request.POST)
        except NoSuchMessage:  # deleted, or left the room, since the lookup above
            raise Http404 from None
        if result.message is not None:
            return changed(request, result.message, room)
        form, status = result.form, refusal_status(result.form)
    context = {"room": room, "message": shown, "form": form}
    template = "rooms/room.html#message-edit" if from_htmx(request) else "rooms/message_edit.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@refused_alike
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    room = access.get_room(current_user(request), slug)
    user = current_user(request)
    shown = access.get_message(access.messages_deletable_by(user), room, pk)
    form = DeleteMessageForm()
    status = 200
    if request.method == "POST":
        try:
            result = delete_message(room=room, deleter=user, message_id=shown.pk)
        except NoSuchMessage:
            raise Http404 from None
        if result.message is not None:
            return changed(request, result.message, room)
        form, status = result.form, refusal_status(result.form)
        if from_htmx(request):
            # Said where the person is, in the message's place; the message stays as it was.
            refusal = " ".join(str(error) for error in form.non_field_errors())
            context = {"message": shown, "room": room, "refusal": refusal}
            return render(request, "rooms/room.html#message", context, status=status)
    return render(request, "rooms/message_delete.html", {"room": room, "message": shown, "form": form}, status=status)


@require_GET
def history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """What a message said before each edit, newest first, for whoever may read the room."""
    room = access.get_room(current_user(request), slug)
    shown = access.get_message(access.messages_readable_by(current_user(request)), room, pk)
    versions = shown.earlier_versions.all()
    title = _("Earlier versions of a message")
    return render(
        request, "rooms/message_history.html", {"room": room, "message": shown, "versions": versions, "title": title}
    )


@require_POST
@refused_alike
def react(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Give the message an emoji, or take one's own back: to htmx, the message as it now reads; else back to it.

    Refused alike (404) when the reader may not react there; an emoji refused
    is said to htmx in one sentence for the page's alert region, else on a page
    of its own with the field to try again.
    """
    user = current_user(request)
    room = access.get_room(user, slug)
    try:
        result = toggle_reaction(room=room, user=user, message_id=pk, data=request.POST)
    except NoSuchMessage:
        raise Http404 from None
    if result.message is not None:
        if from_htmx(request):
            return render(request, "rooms/room.html#message", {"message": result.message, "room": room})
        return redirect(place_of(result.message, room))
    form, status = result.form, refusal_status(result.form)
    if from_htmx(request):
        refusal = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return render(request, "rooms/reactions.html#reaction-refused", {"refusal": refusal}, status=status)
    shown = access.get_message(access.messages_reactable_by(user), room, pk)
    return render(request, "rooms/message_react.html", {"room": room, "message": shown, "form": form}, status=status)

"""The lobby and room pages, and the no-JavaScript way to post (DESIGN.md §6).

Thin on purpose: the rules live in forms.py, access.py and posting.py.
"""

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from rooms import access
from rooms.forms import MessageForm, RoomForm
from rooms.messages.history import history_page, parse_seq
from rooms.messages.posting import post_message
from rooms.models import Room, User
from rooms.people import membership
from rooms.rate_limit import RATE_LIMITED


def current_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware has already sent anonymous visitors to sign in.
    assert isinstance(request.user, User)
    return request.user


LOBBY_ROOMS = 50


@require_http_methods(["GET", "POST"])
def lobby(request: HttpRequest) -> HttpResponse:
    form = RoomForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            room = membership.enter_room(user=current_user(request), name=form.cleaned_data["name"], slug=form.slug)
        except membership.TooManyNewRooms:
            form.add_error("name", ValidationError(TOO_MANY_NEW_ROOMS, code=RATE_LIMITED))
        else:
            return redirect(room)
    return render(
        request,
        "rooms/lobby.html",
        # The most recently active rooms; any other is a name away in the form above.
        {"form": form, "rooms": Room.objects.all()[:LOBBY_ROOMS]},
        status=refusal_status(form),
    )


TOO_MANY_NEW_ROOMS = _(
    "You have created many rooms in a short time, so this one was not created. Wait a while before creating"
    " another; you can still enter any room that exists."
)


def refusal_status(form: BaseForm) -> int:
    """200 for a fresh form; 429 when a rate limit refused it, else 400."""
    if not form.errors:
        return 200
    limited = any(error.code == RATE_LIMITED for errors in form.errors.as_data().values() for error in errors)
    return 429 if limited else 400


@require_http_methods(["GET", "POST"])
def room(request: HttpRequest, slug: str) -> HttpResponse:
    room = access.get_room(slug)
    user = current_user(request)
    form = MessageForm()
    if request.method == "POST":
        result = post_message(room=room, author=user, data=request.POST)
        if result.message is not None:
            # POST/redirect/GET: a reload never sends the message twice.
            return redirect(room)
        form = result.form
    # The page's cursor (DESIGN.md §2) is read before its messages: a change made in between is then
    # both on the page and sent again on connecting, which replaces it with itself; never neither.
    cursor = room.last_seq
    page = history_page(
        room,
        before=parse_seq(request.GET.get("before")),
        after=parse_seq(request.GET.get("after")),
    )
    if page.is_latest and "after" in request.GET and request.method == "GET":
        # Paging forward reached the newest messages: show the live page, at its plain address.
        return redirect(room)
    return render(
        request,
        "rooms/room.html",
        {
            "room": room,
            "page": page,
            "cursor": cursor,
            "form": form,
            "is_member": access.is_member(user, room),
            "my_rooms": user.rooms.all(),
        },
        status=refusal_status(form),
    )


@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponseBase:
    room = access.get_room(slug)
    membership.join_room(user=current_user(request), room=room)
    return redirect(room)


@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponseBase:
    room = access.get_room(slug)
    membership.leave_room(user=current_user(request), room=room)
    return redirect("rooms:lobby")

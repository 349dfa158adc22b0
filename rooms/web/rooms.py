"""The lobby and room pages, and the no-JavaScript way to post (DESIGN.md §6).

Thin on purpose: the rules live in forms.py, access.py and posting.py.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, prefetch_related_objects
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from rooms import access
from rooms.forms import AttachmentForm, ConversationForm, MessageForm, NotifyForm, PrivateRoomForm, RoomForm
from rooms.messages.history import history_page, parse_seq
from rooms.messages.posting import post_message
from rooms.models import Membership, Room, User
from rooms.people import membership, news, presence, unread
from rooms.rate_limit import RATE_LIMITED


def current_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware has already sent anonymous visitors to sign in.
    assert isinstance(request.user, User)
    return request.user


LOBBY_ROOMS = 50


def rooms_of(user: User) -> tuple[list[Room], list[tuple[Room, str]]]:
    """The rooms `user` is in, and their direct conversations with each one's title, each room with what
    `user` has not read there (`room.unread`, None when nothing): two queries, and one more for the people
    in the conversations when there are any."""
    # Each room with this member's level for it (the filter's join, not another's membership).
    theirs: list[Room] = list(
        Room.objects.filter(membership__user=user)
        .annotate(notify=F("membership__notify"))
        .order_by("-last_activity_at")
    )
    counts = unread.unread_by_room(user)
    for room in theirs:
        room.unread = counts.get(room.pk)  # type: ignore[attr-defined]
    conversations = [room for room in theirs if room.is_direct]
    prefetch_related_objects(conversations, "members")
    rooms = [room for room in theirs if not room.is_direct]
    return rooms, [(room, room.title_for(user)) for room in conversations]


def render_lobby(request: HttpRequest, *forms: BaseForm) -> HttpResponse:
    """The lobby, with whichever of its forms was just refused (with its errors) in place of a fresh one."""
    user = current_user(request)
    given = {type(form): form for form in forms}
    my_rooms, conversations = rooms_of(user)
    context = {
        "form": given.get(RoomForm) or RoomForm(),
        "private_form": given.get(PrivateRoomForm) or PrivateRoomForm(),
        "conversation_form": given.get(ConversationForm) or ConversationForm(viewer=user),
        "my_rooms": my_rooms,
        "conversations": conversations,
        # The most recently active open rooms one is not in (those are listed above); any other is a
        # name away in the first form.
        "rooms": Room.objects.filter(kind=Room.Kind.OPEN).exclude(pk__in=[room.pk for room in my_rooms])[:LOBBY_ROOMS],
    }
    status = max([refusal_status(form) for form in forms], default=200)
    return render(request, "rooms/lobby.html", context, status=status)


def enter_from(
    request: HttpRequest, form: BaseForm, field: str, enter: Callable[[dict[str, Any]], Room]
) -> HttpResponse:
    """A lobby form's answer: into the room `enter` finds or makes from it, or the lobby with its errors."""
    if form.is_valid():
        try:
            room = enter(form.cleaned_data)
        except membership.TooManyNewRooms:
            form.add_error(field, ValidationError(TOO_MANY_NEW_ROOMS, code=RATE_LIMITED))
        else:
            return redirect(room)
    return render_lobby(request, form)


@require_http_methods(["GET", "POST"])
def lobby(request: HttpRequest) -> HttpResponse:
    form = RoomForm(request.POST if request.method == "POST" else None)
    user = current_user(request)
    return enter_from(
        request, form, "name", lambda data: membership.enter_room(user=user, name=data["name"], slug=form.slug)
    )


@require_POST
def new_private_room(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return enter_from(
        request,
        PrivateRoomForm(request.POST),
        "name",
        lambda data: membership.create_private_room(user=user, name=data["name"], description=data["description"]),
    )


@require_POST
def new_conversation(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return enter_from(
        request,
        ConversationForm(request.POST, viewer=user),
        "people",
        lambda data: membership.start_conversation(user=user, others=data["people"]),
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
    room = access.get_room(current_user(request), slug)
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
        around=parse_seq(request.GET.get("around")),
    )
    if page.is_latest and "after" in request.GET and request.method == "GET":
        # Paging forward reached the newest messages: show the live page, at its plain address.
        return redirect(room)
    if request.GET.keys() & {"before", "after", "around"}:
        # The page opens on a message (a permalink, a page of history): the message box does not take the focus.
        form.fields["body"].widget.attrs.pop("autofocus", None)
    member = access.membership_of(user, room)
    first_unread = unread_earlier = None
    if member is not None and page.messages:
        # The page shows where this member's unread messages begin (if any): a divider goes there, and
        # what the page shows is read. Else they begin before it: a link leads to the page that starts
        # there, and reading on from it marks them.
        if not page.has_older or (page.oldest_seq or 0) <= member.last_read_seq + 1:
            first_unread = next(
                (m.seq for m in page.messages if m.seq > member.last_read_seq and m.author_id != user.pk), None
            )
            if page.newest_seq > member.last_read_seq:
                news.mark_read(user, room, page.newest_seq, notify=member.notify, nothing_left=page.is_latest)
        elif room.pk in unread.unread_by_room(user, rooms=[room.pk]):
            unread_earlier = member.last_read_seq
    my_rooms, conversations = rooms_of(user)
    live = member is not None and page.is_latest
    return render(
        request,
        "rooms/room.html",
        {
            "room": room,
            "title": room.title_for(user),
            "page": page,
            "cursor": cursor,
            "form": form,
            "attach_form": AttachmentForm(),
            "is_member": member is not None,
            "is_admin": member is not None and access.may_administer(user, room, member),
            "announce": what_to_announce(user, member),
            "notify_form": NotifyForm(instance=member) if member is not None else None,
            "first_unread": first_unread,
            "unread_earlier": unread_earlier,
            "my_rooms": my_rooms,
            "conversations": conversations,
            # Who is here, on the live page (its socket then keeps it current); not a query: the presence store.
            "people_here": presence.people_here(room) if live else None,
        },
        status=refusal_status(form),
    )


# From the quietest: a reader hears of a room what both their own setting and the room's level allow.
QUIETEST_FIRST: list[str] = [User.Announce.NONE, User.Announce.MENTIONS, User.Announce.ALL]


def what_to_announce(user: User, member: Membership | None) -> str:
    if member is None:
        return str(user.announce)
    return min(str(user.announce), str(member.notify), key=QUIETEST_FIRST.index)


@require_POST
def notify(request: HttpRequest, slug: str) -> HttpResponseBase:
    user = current_user(request)
    room = access.get_room(user, slug)
    member = access.membership_of(user, room)
    if member is None:
        raise Http404
    form = NotifyForm(request.POST, instance=member)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved: %(level)s.") % {"level": member.get_notify_display()})
    return redirect(room)


@require_POST
def read(request: HttpRequest, slug: str) -> HttpResponse:
    """The page's script says which messages scrolled into view while the tab was visible (204, no content)."""
    user = current_user(request)
    room = access.get_room(user, slug)
    seq = parse_seq(request.POST.get("seq"))
    if seq is not None:
        news.mark_read(user, room, seq)
    return HttpResponse(status=204)


@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponseBase:
    user = current_user(request)
    room = access.get_room(user, slug)
    if access.may_join(user, room):
        membership.join_room(user=user, room=room)
    return redirect(room)


@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Asks first (the page is the question); then leaves, and says so in the lobby."""
    user = current_user(request)
    room = access.get_room(user, slug)
    title = room.title_for(user)
    if request.method == "POST":
        membership.leave_room(user=user, room=room)
        messages.success(request, _("You left %(room)s.") % {"room": title})
        return redirect("rooms:lobby")
    return render(request, "rooms/leave.html", {"room": room, "title": title})

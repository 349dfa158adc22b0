"""A reader's own pages: someone's page (to start a conversation with them), the messages that mention me,
and searching what I may read."""

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from rooms import access
from rooms.forms import SearchForm
from rooms.messages.history import PAGE_SIZE, parse_seq
from rooms.messages.search import search as search_messages
from rooms.models import User
from rooms.web.rooms import current_user


@require_GET
def person(request: HttpRequest, username: str) -> HttpResponse:
    """Who someone is, and a button that starts (or reopens) a direct conversation with them."""
    shown = get_object_or_404(User, username=username, is_active=True)
    return render(request, "rooms/person.html", {"person": shown})


@require_GET
def mentions(request: HttpRequest) -> HttpResponse:
    """The messages that mention me, newest first, in every room I may read; a page at a time (`?before=`)."""
    user = current_user(request)
    found = access.messages_readable_by(user).filter(mentions=user).select_related("author", "room").order_by("-pk")
    if (before := parse_seq(request.GET.get("before"))) is not None:
        found = found.filter(pk__lt=before)
    page = list(found[: PAGE_SIZE + 1])
    return render(
        request,
        "rooms/mentions.html",
        {"found": page[:PAGE_SIZE], "older": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None},
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """A GET form, and its results as a page: the best hits first, each linking to the message in its room."""
    user = current_user(request)
    form = SearchForm(request.GET or None)
    hits, room = [], None
    if form.is_valid():
        slug = form.cleaned_data["room"]
        room = access.get_room(user, slug) if slug else None
        hits = search_messages(user, form.cleaned_data["q"], room=room)
    status = 400 if form.errors else 200
    return render(request, "rooms/search.html", {"form": form, "hits": hits, "room": room}, status=status)


# As many as fit under the box without scrolling; more letters narrow it down.
MENTIONABLE_SHOWN = 8


@require_GET
def mentionable(request: HttpRequest, slug: str) -> HttpResponse:
    """The room's members whose username or display name begins with `q`, as options for the composer's @
    suggestions (templates/rooms/mention_picker.html); for members only, as the composer is."""
    user = current_user(request)
    room = access.get_room(user, slug)
    if not access.is_member(user, room):
        raise Http404
    typed = request.GET.get("q", "")[:150]
    people = (
        room.members.filter(is_active=True)
        .filter(Q(username__istartswith=typed) | Q(display_name__istartswith=typed))
        .order_by("username")[:MENTIONABLE_SHOWN]
    )
    return render(request, "rooms/mention_picker.html#options", {"people": people})

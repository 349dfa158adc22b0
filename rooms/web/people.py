"""People's pages: someone's own page (to start a conversation with them) and the messages that mention me."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from rooms import access
from rooms.messages.history import PAGE_SIZE, parse_seq
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

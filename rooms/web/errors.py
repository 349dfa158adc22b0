"""The pages a refused or failed request gets: said in the reader's language, in the chat's own layout.

Django's own are a line of English without a way back (and a 405 is empty, which a browser shows as its
own error). Each says what happened and that nothing was changed, with a link back to the rooms; to an
htmx request, which swaps what it gets into the page, only the words (the `problem` partial), never a
whole page inside an element. A server error's page (500.html) stands alone: it is rendered without the
request, as something about the request may be what failed.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def error_page(request: HttpRequest, status: int, heading: str, explanation: str) -> HttpResponse:
    htmx = getattr(request, "htmx", False)
    template = "errors.html#problem" if htmx else "errors.html"
    return render(request, template, {"heading": heading, "explanation": explanation}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        400,
        _("This request could not be read"),
        _("Something in it was not what the chat expects, so nothing was changed. Reload the page and try again."),
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        403,
        _("Not allowed"),
        _(
            "You cannot do this here: the room may be one you are not a member of, or the change one that only "
            "its author or the room's admins can make. Nothing was changed."
        ),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        404,
        _("Not found"),
        _(
            "There is nothing at this address that you can see. It may have been deleted, or be in a room "
            "you are not a member of."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        403,
        _("This form has expired"),
        _(
            "It came from a page opened before you last signed in or out, or your browser did not send the "
            "chat's cookie with it. Nothing was sent: reload the page and try again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(loader.render_to_string("500.html"), status=500)


class NotAllowedPage:
    """A page, not an empty answer, for a visit to an address that only takes a form (405).

    The bot API (/api/) keeps its empty 405 with its Allow header: its callers are programs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        empty = isinstance(response, HttpResponse) and not response.content
        if response.status_code != 405 or not empty or request.path.startswith("/api/"):
            return response
        page = error_page(
            request,
            405,
            _("Nothing to open here"),
            _("This address only takes what a form sends, so opening it shows nothing and changes nothing."),
        )
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page

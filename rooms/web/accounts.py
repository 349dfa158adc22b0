"""Signing up, signing in (Django's view, throttled through its form) and one's settings; signing out is Django's."""

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rooms.forms import SettingsForm, SignInForm, SignUpForm, username_taken_message
from rooms.models import User
from rooms.rate_limit import RATE_LIMITED, client_address, may_sign_up
from rooms.web.rooms import current_user, refusal_status

logger = logging.getLogger(__name__)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # Counted only when an account would be made: a mistyped form costs nothing.
        if may_sign_up(address=client_address(request)):
            if (user := create_account(form)) is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("rooms:lobby")
        else:
            logger.info("refused a sign-up from %s: rate limit", client_address(request))
            form.add_error(None, ValidationError(TOO_MANY_SIGN_UPS, code=RATE_LIMITED))
    return render(request, "registration/signup.html", {"form": form}, status=refusal_status(form))


TOO_MANY_SIGN_UPS = gettext_lazy(
    "Too many accounts were created from your network in a short time, so this one was not created. Try again later."
)


def create_account(form: SignUpForm) -> User | None:
    """The new account; None, with the form's error, when a look-alike was signed up in the meantime."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        # The database's unique skeleton (or username) decided between two sign-ups at once.
        form.add_error("username", username_taken_message())
        return None


class SignInView(LoginView):
    """Django's sign-in; a refusal answers 400 like every form here, or 429 when the limit refused it."""

    authentication_form = SignInForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = refusal_status(form)
        return response


class SignOutView(LogoutView):
    """Django's sign-out, which then says so on the sign-in page it leads to (the message outlives the session)."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You signed out."))
        return response


@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=current_user(request))
    if form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("settings")
    return render(request, "accounts/settings.html", {"form": form}, status=400 if form.errors else 200)

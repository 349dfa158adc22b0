from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from rooms.web.accounts import SignInView, SignOutView, account_settings, sign_up
from rooms.web.health import healthz

urlpatterns = [
    path("accounts/signup/", sign_up, name="signup"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/settings/", account_settings, name="settings"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),  # staff only (rooms/admin.py)
    # Choosing a language works before signing in, and without JavaScript (a form POST).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("rooms.urls")),
]

# Refused and failed requests get the chat's own pages, in the reader's language (rooms/web/errors.py).
handler400 = "rooms.web.errors.bad_request"
handler403 = "rooms.web.errors.forbidden"
handler404 = "rooms.web.errors.not_found"
handler500 = "rooms.web.errors.server_error"

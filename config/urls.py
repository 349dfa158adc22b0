from django.contrib.auth import views as auth_views
from django.urls import include, path

from rooms.account_views import sign_up
from rooms.forms import SignInForm
from rooms.health import healthz

urlpatterns = [
    path("accounts/signup/", sign_up, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("", include("rooms.urls")),
]

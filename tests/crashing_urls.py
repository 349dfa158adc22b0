"""The site's addresses and /crash/, a view that reads the message it was sent and then fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the site's own error pages)


@csrf_exempt
def crash(request: HttpRequest) -> HttpResponse:
    request.POST.get("body")  # holding a message's text when it fails, as a failing write path would
    raise ValueError("the view failed on purpose")


urlpatterns = [path("crash/", crash), path("", include("config.urls"))]

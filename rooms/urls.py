from django.urls import path, register_converter

from rooms.web import rooms as views


class RoomSlugConverter:
    """Slugs as Django's slugify(allow_unicode=True) makes them: Korean names keep their letters."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RoomSlugConverter, "room_slug")

app_name = "rooms"
urlpatterns = [
    path("", views.lobby, name="lobby"),
    path("rooms/<room_slug:slug>/", views.room, name="room"),
    path("rooms/<room_slug:slug>/join/", views.join, name="join"),
    path("rooms/<room_slug:slug>/leave/", views.leave, name="leave"),
]

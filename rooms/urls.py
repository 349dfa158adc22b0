from django.urls import path, register_converter

from rooms.web import messages
from rooms.web import rooms as views


class RoomSlugConverter:
    """Slugs as Django's slugify(allow_unicode=True) makes them: Korean names keep their letters."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class MessageIdConverter:
    """A message's id: digits, few enough for the database's integers (a longer one is no message, so 404)."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RoomSlugConverter, "room_slug")
register_converter(MessageIdConverter, "message_id")

app_name = "rooms"
urlpatterns = [
    path("", views.lobby, name="lobby"),
    path("rooms/<room_slug:slug>/", views.room, name="room"),
    path("rooms/<room_slug:slug>/join/", views.join, name="join"),
    path("rooms/<room_slug:slug>/leave/", views.leave, name="leave"),
    path("rooms/<room_slug:slug>/messages/<message_id:pk>/", messages.message, name="message"),
    path("rooms/<room_slug:slug>/messages/<message_id:pk>/edit/", messages.edit, name="edit_message"),
    path("rooms/<room_slug:slug>/messages/<message_id:pk>/delete/", messages.delete, name="delete_message"),
    path("rooms/<room_slug:slug>/messages/<message_id:pk>/history/", messages.history, name="message_history"),
]

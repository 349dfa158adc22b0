from django.urls import path, register_converter

from rooms.web import api, attachments, messages, people, room_settings
from rooms.web import rooms as views


class RoomSlugConverter:
    """Slugs as Django's slugify(allow_unicode=True) makes them: Korean names keep their letters."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter:
    """A message's or a person's id: digits, few enough for the database's integers (a longer one is nobody, 404)."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RoomSlugConverter, "room_slug")
register_converter(IdConverter, "id")

app_name = "rooms"
urlpatterns = [
    path("", views.lobby, name="lobby"),
    path("private-rooms/", views.new_private_room, name="new_private_room"),
    path("conversations/", views.new_conversation, name="new_conversation"),
    path("mentions/", people.mentions, name="mentions"),
    path("search/", people.search, name="search"),
    path("api/rooms/<room_slug:slug>/messages", api.post_as_bot, name="bot_messages"),
    path("people/<str:username>/", people.person, name="person"),
    path("rooms/<room_slug:slug>/", views.room, name="room"),
    path("rooms/<room_slug:slug>/join/", views.join, name="join"),
    path("rooms/<room_slug:slug>/leave/", views.leave, name="leave"),
    path("rooms/<room_slug:slug>/read/", views.read, name="read"),
    path("rooms/<room_slug:slug>/notify/", views.notify, name="notify"),
    path("rooms/<room_slug:slug>/mentionable/", people.mentionable, name="mentionable"),
    path("rooms/<room_slug:slug>/settings/", room_settings.room_settings, name="settings"),
    path("rooms/<room_slug:slug>/members/", room_settings.add_member, name="add_member"),
    path("rooms/<room_slug:slug>/members/<id:pk>/remove/", room_settings.remove_member, name="remove_member"),
    path("rooms/<room_slug:slug>/members/<id:pk>/admin/", room_settings.set_admin, name="set_admin"),
    path("rooms/<room_slug:slug>/bots/", room_settings.add_bot, name="add_bot"),
    path("rooms/<room_slug:slug>/bots/<id:pk>/revoke/", room_settings.revoke_bot, name="revoke_bot"),
    path("rooms/<room_slug:slug>/bots/<id:pk>/webhook/", room_settings.change_webhook, name="bot_webhook"),
    path("rooms/<room_slug:slug>/messages/<id:pk>/", messages.message, name="message"),
    path("rooms/<room_slug:slug>/messages/<id:pk>/edit/", messages.edit, name="edit_message"),
    path("rooms/<room_slug:slug>/messages/<id:pk>/delete/", messages.delete, name="delete_message"),
    path("rooms/<room_slug:slug>/messages/<id:pk>/react/", messages.react, name="react"),
    path("rooms/<room_slug:slug>/messages/<id:pk>/history/", messages.history, name="message_history"),
    path("rooms/<room_slug:slug>/attach/", attachments.attach, name="attach"),
    path("rooms/<room_slug:slug>/messages/<id:pk>/file/", attachments.attachment, name="attachment"),
    path(
        "rooms/<room_slug:slug>/messages/<id:pk>/thumbnail/",
        attachments.attachment,
        {"thumbnail": True},
        name="attachment_thumbnail",
    ),
]

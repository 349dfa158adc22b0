from django.urls import path

from rooms.consumers import RoomConsumer
from rooms.urls import RoomSlugConverter  # noqa: F401  (registers the room_slug converter)

websocket_urlpatterns = [
    path("ws/rooms/<room_slug:slug>/", RoomConsumer.as_asgi(), name="room-socket"),
]

# reverse() looks for `urlpatterns`: Room.get_socket_url builds the address from this list.
urlpatterns = websocket_urlpatterns

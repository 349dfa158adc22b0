from django.urls import path, re_path

from rooms.sockets.consumer import RefusingConsumer, RoomConsumer
from rooms.sockets.news import NewsConsumer
from rooms.urls import RoomSlugConverter  # noqa: F401  (registers the room_slug converter)

websocket_urlpatterns = [
    path("ws/rooms/<room_slug:slug>/", RoomConsumer.as_asgi(), name="room-socket"),
    path("ws/news/", NewsConsumer.as_asgi(), name="news-socket"),
    # Any other address (a mangled slug, `..`, an encoded NUL) is refused at the
    # handshake like an unknown room, instead of raising "No route found".
    re_path(r"", RefusingConsumer.as_asgi()),
]

# reverse() looks for `urlpatterns`: Room.get_socket_url builds the address from this list.
urlpatterns = websocket_urlpatterns

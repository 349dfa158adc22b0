"""Signed-in members for the chat's sockets, made straight in its database (as sign-up and sign-in would).

Passwords are unusable: signing a thousand people in through the real
password hasher would take minutes and measure nothing the benchmark is about.
"""

import datetime
from typing import NamedTuple

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from rooms.models import Membership, Room, User

BACKEND = "django.contrib.auth.backends.ModelBackend"


class Seat(NamedTuple):
    """One member's place: where their socket opens, their session, their room, and how their edits are sent."""

    socket_path: str
    session_key: str
    room: int  # index into the room sizes
    edit_path: str  # the edit view of a message of their room, with "{}" for the message's id
    user: int  # the member's id


def edit_path(room: Room) -> str:
    """The room's edit view, a message's id left as "{}" (the load generator fills it in)."""
    return reverse("rooms:edit_message", kwargs={"slug": room.slug, "pk": 0}).replace("/0/", "/{}/")


def sign_in(room_sizes: list[int], tag: str) -> list[Seat]:
    """A seat for each member of rooms of these sizes."""
    rooms = Room.objects.bulk_create(Room(name=f"{tag} {r}", slug=f"{tag}-{r}") for r in range(len(room_sizes)))
    seats = [(room, r) for r, (room, size) in enumerate(zip(rooms, room_sizes, strict=True)) for _ in range(size)]
    users = [User(username=f"{tag}-{i}", display_name=f"Member {i}") for i in range(len(seats))]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        Membership(room=room, user=user) for user, (room, _r) in zip(users, seats, strict=True)
    )
    store = SessionStore()
    expiry = timezone.now() + datetime.timedelta(days=1)
    sessions = []
    for user in users:
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: BACKEND, HASH_SESSION_KEY: user.get_session_auth_hash()}
        sessions.append(
            Session(
                session_key=get_random_string(32, VALID_KEY_CHARS), session_data=store.encode(data), expire_date=expiry
            )
        )
    Session.objects.bulk_create(sessions)
    paths = {room.pk: (room.get_socket_url(), edit_path(room)) for room in rooms}
    return [
        Seat(paths[room.pk][0], session.session_key, r, paths[room.pk][1], user.pk)
        for (room, r), session, user in zip(seats, sessions, users, strict=True)
    ]

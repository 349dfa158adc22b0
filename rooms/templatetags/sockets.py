"""`{% socket_url "news-socket" %}`: a socket's address, from rooms/sockets/routing.py (as Room.get_socket_url)."""

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def socket_url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs or None, urlconf="rooms.sockets.routing")

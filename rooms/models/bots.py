"""Bots: accounts that post into one room through the HTTP API, with a secret token stored hashed."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.models.people import User
from rooms.models.rooms import Room


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256. Tokens are long and random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


class Bot(models.Model):
    # The bot's account: it is the author of what it posts, a member of its room like anyone who writes.
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="bot")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="bots")
    name = models.CharField(_("name"), max_length=50)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Where its mentions are POSTed (rooms/people/bot_webhooks.py); empty: nowhere.
    webhook_url = models.URLField(_("webhook address"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.name} in {self.room}"

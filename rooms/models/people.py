"""The people who chat: accounts and what each chose for themselves."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MAX_LENGTH = 50


class User(AbstractUser):
    class Announce(models.TextChoices):
        """What a screen reader is told of other people's new messages (see static/js/announcer.js)."""

        ALL = "all", _("Every new message")
        MENTIONS = "mentions", _("Only messages that mention me")
        NONE = "none", _("Nothing")

    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    announce = models.CharField(
        _("announce new messages"), max_length=10, choices=Announce.choices, default=Announce.ALL
    )

    def __str__(self) -> str:
        return self.display_name or self.username

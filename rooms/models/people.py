"""The people who chat: accounts and what each chose for themselves."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.lookalikes import skeleton

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
    # Who is typing is shown to everybody, but read out only to those who ask for it (static/js/typing.js).
    announce_typing = models.BooleanField(_("announce who is typing"), default=False)

    # What the username looks like (rooms/lookalikes.py), unique so that no two people
    # look alike by username even when they sign up at the same moment. Empty (NULL)
    # only for accounts that looked like an older one before this was checked.
    username_skeleton = models.TextField(unique=True, null=True, editable=False)  # noqa: DJ001  # NULLs may repeat, "" may not

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived once, at creation, however the account is made (sign-up, createsuperuser,
        # tests): usernames do not change here, and an account kept without one stays so.
        if self._state.adding and self.username_skeleton is None:
            self.username_skeleton = skeleton(self.username)
        super().save(*args, **kwargs)

"""Making bots, revoking them, and knowing one by its token (DESIGN.md §1: they post through post_message)."""

import logging
import secrets

from django.db import transaction
from django.utils import timezone

from rooms.models import Bot, Membership, Room, User, token_digest

logger = logging.getLogger(__name__)


def create_bot(*, room: Room, name: str, created_by: User, webhook_url: str = "") -> tuple[Bot, str]:
    """A new bot for `room` and its token, which is shown once and kept only as a digest; mentions of it
    go to `webhook_url` (rooms/people/bot_webhooks.py), if one is given."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        account = User.objects.create_user(username=f"bot-{secrets.token_hex(6)}", display_name=name)
        account.set_unusable_password()  # nobody signs in as a bot
        account.save(update_fields=["password"])
        Membership.objects.create(room=room, user=account)
        bot = Bot.objects.create(
            user=account,
            room=room,
            name=name,
            token_digest=token_digest(token),
            created_by=created_by,
            webhook_url=webhook_url,
        )
    logger.info("user %s created bot %s in room %s", created_by.pk, bot.pk, room.pk)
    return bot, token


def revoke_bot(bot: Bot) -> None:
    """Its token stops working at once; what it posted stays, by its account, which is deactivated."""
    with transaction.atomic():
        bot.revoked_at = timezone.now()
        bot.save(update_fields=["revoked_at"])
        bot.user.is_active = False
        bot.user.save(update_fields=["is_active"])


def set_webhook(bot: Bot, *, url: str, changed_by: User) -> None:
    """From now on, mentions of `bot` go to `url`, and so do attempts still waiting (a retry reads the address
    again); empty, nothing more is sent."""
    bot.webhook_url = url
    bot.save(update_fields=["webhook_url"])
    logger.info("user %s set the webhook of bot %s to %s", changed_by.pk, bot.pk, "an address" if url else "none")


def bot_for(token: str) -> Bot | None:
    """The bot whose token this is, if it is not revoked."""
    if not token:
        return None
    bot = Bot.objects.select_related("user", "room").filter(token_digest=token_digest(token)).first()
    return bot if bot is not None and bot.revoked_at is None and bot.user.is_active else None

"""The chat's models, a module per aggregate; imported from here (`rooms.models`) everywhere else."""

from rooms.models.attachments import ALT_TEXT_MAX_LENGTH, ATTACHMENT_NAME_MAX_LENGTH, Attachment
from rooms.models.bots import Bot, token_digest
from rooms.models.messages import (
    MESSAGE_MAX_LENGTH,
    REACTION_MAX_LENGTH,
    Message,
    MessageVersion,
    Reaction,
    ReactionGroup,
)
from rooms.models.people import DISPLAY_NAME_MAX_LENGTH, User
from rooms.models.rooms import ROOM_DESCRIPTION_MAX_LENGTH, ROOM_NAME_MAX_LENGTH, Membership, Room

__all__ = [
    "ALT_TEXT_MAX_LENGTH",
    "ATTACHMENT_NAME_MAX_LENGTH",
    "DISPLAY_NAME_MAX_LENGTH",
    "MESSAGE_MAX_LENGTH",
    "REACTION_MAX_LENGTH",
    "ROOM_DESCRIPTION_MAX_LENGTH",
    "ROOM_NAME_MAX_LENGTH",
    "Attachment",
    "Bot",
    "Membership",
    "Message",
    "MessageVersion",
    "Reaction",
    "ReactionGroup",
    "Room",
    "User",
    "token_digest",
]

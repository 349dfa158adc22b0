"""Who a message names with @username, worked out once, when it is written (DESIGN.md §3).

Pages get the answer as data in the markup (`data-mentions`), so that the
announcer and the styles know who was mentioned without guessing from text.
"""

import re
from dataclasses import dataclass

from rooms.lookalikes import skeleton
from rooms.models import Message, User
from rooms.people.bot_webhooks import tell_bots

# "@" not inside a word or an address, then what a username may hold (letters, digits, . @ + - _).
MENTION = re.compile(r"(?<![\w@])@([\w.@+-]+)")
# A username may end in these, but in prose they are more often punctuation after it: "thanks, @ana."
TRAILING_PUNCTUATION = ".-+@"


@dataclass(frozen=True)
class Mentioned:
    user_ids: list[int]  # the active people named, in order of id
    hooked_bots: dict[int, int]  # of those, the bots of this room with a webhook: account's id -> bot's id


def mentioned(body: str, room_id: int) -> Mentioned:
    """Who `body` mentions; one query, and none when there is no "@".

    A name is found by what it looks like (rooms/lookalikes.py), as usernames
    are unique by it: "@ANA" and "@ana" mention the same person. The same query
    tells which of them are bots of the room to tell by webhook, so that a
    mention costs no query more for having bots in the chat.
    """
    if "@" not in body:
        return Mentioned([], {})
    names: set[str] = set()
    for match in MENTION.finditer(body):
        name = match.group(1)
        names.update({name, name.rstrip(TRAILING_PUNCTUATION)} - {""})
    if not names:
        return Mentioned([], {})
    skeletons = {skeleton(name) for name in names}
    people = User.objects.filter(username_skeleton__in=skeletons, is_active=True).order_by("pk")
    rows = people.values_list("pk", "bot__pk", "bot__room_id", "bot__webhook_url", "bot__revoked_at")
    hooked = {
        user_id: bot_id
        for user_id, bot_id, bot_room_id, webhook_url, revoked_at in rows
        if bot_id is not None and bot_room_id == room_id and webhook_url and revoked_at is None
    }
    return Mentioned([row[0] for row in rows], hooked)


def record_mentions(message: Message, *, replacing: bool) -> None:
    """Store who `message` mentions now, and keep the answer on it for the render that follows.

    A bot of the room mentioned for the first time in this message (posted, or
    edited to name it) hears of it by its webhook, once the change is committed.
    """
    found = mentioned(message.body, message.room_id)
    through = Message.mentions.through
    named_before: set[int] = set()
    if replacing:
        if found.hooked_bots:  # whom it named before matters only to tell a bot just once
            named_before = set(through.objects.filter(message=message).values_list("user_id", flat=True))
        through.objects.filter(message=message).delete()
    through.objects.bulk_create([through(message=message, user_id=user_id) for user_id in found.user_ids])
    message.mentioned_ids = found.user_ids
    told = named_before | {message.author_id}  # a bot's own message is no news to it
    tell_bots(message, [bot_id for user_id, bot_id in found.hooked_bots.items() if user_id not in told])

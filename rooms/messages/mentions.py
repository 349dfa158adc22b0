"""Who a message names with @username, worked out once, when it is written (DESIGN.md §3).

Pages get the answer as data in the markup (`data-mentions`), so that the
announcer and the styles know who was mentioned without guessing from text.
"""

import re

from rooms.lookalikes import skeleton
from rooms.models import Message, User

# "@" not inside a word or an address, then what a username may hold (letters, digits, . @ + - _).
MENTION = re.compile(r"(?<![\w@])@([\w.@+-]+)")
# A username may end in these, but in prose they are more often punctuation after it: "thanks, @ana."
TRAILING_PUNCTUATION = ".-+@"


def mentioned_user_ids(body: str) -> list[int]:
    """The active people `body` mentions, by their ids; one query, and none when there is no "@".

    A name is found by what it looks like (rooms/lookalikes.py), as usernames
    are unique by it: "@ANA" and "@ana" mention the same person.
    """
    if "@" not in body:
        return []
    names: set[str] = set()
    for match in MENTION.finditer(body):
        name = match.group(1)
        names.update({name, name.rstrip(TRAILING_PUNCTUATION)} - {""})
    if not names:
        return []
    skeletons = {skeleton(name) for name in names}
    return sorted(User.objects.filter(username_skeleton__in=skeletons, is_active=True).values_list("pk", flat=True))


def record_mentions(message: Message, *, replacing: bool) -> None:
    """Store who `message` mentions now, and keep the answer on it for the render that follows."""
    ids = mentioned_user_ids(message.body)
    through = Message.mentions.through
    if replacing:
        through.objects.filter(message=message).delete()
    through.objects.bulk_create([through(message=message, user_id=user_id) for user_id in ids])
    message.mentioned_ids = ids

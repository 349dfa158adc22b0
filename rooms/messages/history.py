"""Which messages a room page shows: the newest page, or the page before, after or around a given message."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from rooms.models import Message, Reaction, Room, User

PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryPage:
    messages: list[Message]  # oldest first, as they are read
    has_older: bool
    is_latest: bool  # the newest messages, so new ones may be appended live

    @property
    def oldest_seq(self) -> int | None:
        return self.messages[0].seq if self.messages else None

    @property
    def newest_seq(self) -> int:
        return self.messages[-1].seq if self.messages else 0


def history_page(
    room: Room, *, before: int | None = None, after: int | None = None, around: int | None = None
) -> HistoryPage:
    """The PAGE_SIZE messages before message number `before`, or after `after`, or around `around` (half
    before it, it and the rest after: a permalink's page), or the newest ones.

    A page after `after` that reaches the newest message is the newest page; one around a message that
    reaches it is too, and goes live.
    """
    if around is not None:
        half = PAGE_SIZE // 2
        before_it = list(shown_messages(room).filter(seq__lt=around).order_by("-seq")[: half + 1])
        from_it = messages_after(room, around - 1, limit=PAGE_SIZE - half + 1)
        return HistoryPage(
            messages=before_it[:half][::-1] + from_it[: PAGE_SIZE - half],
            has_older=len(before_it) > half,
            is_latest=len(from_it) <= PAGE_SIZE - half,
        )
    if after is not None:
        # One more than a page tells whether a newer page exists, in the same query.
        oldest_first = messages_after(room, after, limit=PAGE_SIZE + 1)
        return HistoryPage(
            messages=oldest_first[:PAGE_SIZE],
            # A room's first change is always a message (number 1), deleted or not: after 0, there is an older.
            has_older=after > 0,
            is_latest=len(oldest_first) <= PAGE_SIZE,
        )
    query = shown_messages(room)
    if before is not None:
        query = query.filter(seq__lt=before)
    newest_first = list(query.order_by("-seq")[: PAGE_SIZE + 1])
    return HistoryPage(
        messages=newest_first[:PAGE_SIZE][::-1],
        has_older=len(newest_first) > PAGE_SIZE,
        is_latest=before is None,
    )


def shown_messages(room: Room) -> QuerySet[Message]:
    """A room's messages with what showing one needs: its author and its attachment (joined), who it
    mentions and its reactions with the names of who gave them (a query more each)."""
    mentioned = Prefetch("mentions", queryset=User.objects.only("pk"))
    shown = Message.objects.filter(room=room).select_related("author", "attachment")
    return shown.prefetch_related(mentioned, reactions())


def reactions() -> "Prefetch[str, QuerySet[Reaction]]":
    """A message's reactions with the names of who gave them, all that showing them needs, in one query."""
    given = Reaction.objects.select_related("user").only("message", "user", "emoji", "created_at", "user__display_name")
    return Prefetch("reactions", queryset=given)


def messages_after(room: Room, after: int, *, limit: int) -> list[Message]:
    """The messages placed after message number `after`, oldest first, at most `limit`."""
    return list(shown_messages(room).filter(seq__gt=after).order_by("seq")[:limit])


def changed_after(room: Room, after: int, *, until: int | None = None, limit: int) -> list[Message]:
    """The messages whose newest change is after change `after` (up to `until`), in change order, at most `limit`."""
    query = shown_messages(room).filter(last_change__gt=after).order_by("last_change")
    if until is not None:
        query = query.filter(last_change__lte=until)
    return list(query[:limit])


# The largest number the seq columns hold (a signed 64-bit integer in both databases).
MAX_SEQ = 2**63 - 1


def parse_seq(value: str | None) -> int | None:
    """A message number from a page's address (`?before=`, `?after=`); anything but a whole number is as if absent.

    So is a number past MAX_SEQ: no message has it, and the database would
    refuse it (Python refuses to read one of over 4,300 digits at all).
    """
    if not value or not value.isascii() or not value.isdigit():
        return None
    if len(value.lstrip("0")) > len(str(MAX_SEQ)):
        return None
    seq = int(value)
    return seq if seq <= MAX_SEQ else None

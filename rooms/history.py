"""Which messages a room page shows: the newest page, or the page before a given message."""

from dataclasses import dataclass

from rooms.models import Message, Room

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


def history_page(room: Room, *, before: int | None = None) -> HistoryPage:
    """The PAGE_SIZE messages before sequence number `before`, or the newest ones."""
    query = Message.objects.filter(room=room).select_related("author").order_by("-seq")
    if before is not None:
        query = query.filter(seq__lt=before)
    # One more than a page tells whether an older page exists, in the same query.
    newest_first = list(query[: PAGE_SIZE + 1])
    return HistoryPage(
        messages=newest_first[:PAGE_SIZE][::-1],
        has_older=len(newest_first) > PAGE_SIZE,
        is_latest=before is None,
    )


def messages_after(room: Room, after: int, *, limit: int) -> list[Message]:
    """What a page that shows messages up to `after` has missed, oldest first, at most `limit`."""
    return list(Message.objects.filter(room=room, seq__gt=after).select_related("author").order_by("seq")[:limit])

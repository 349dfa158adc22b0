"""How the room page lays out its messages as a chat: runs of one author, and the days between them.

Page renders only (per viewer, DESIGN.md §3): frames for everybody carry none of this, and a message that
arrives live joins its run in the page's script (static/js/runs.js), by the same rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from rooms.models import Message

register = template.Library()

# Messages of one author this close to the one before them read as one run, under one name.
RUN_GAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Day:
    date: date
    label: str


def day_of(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def day_label(day: date, today: date) -> str:
    if day == today:
        return gettext("Today")
    if day == today - timedelta(days=1):
        return gettext("Yesterday")
    return str(formats.date_format(day, "DATE_FORMAT"))


def continues_run(message: Message, previous: Message | None) -> bool:
    return (
        previous is not None
        and not message.is_deleted
        and not previous.is_deleted
        and message.author_id == previous.author_id
        and timedelta(0) <= message.created_at - previous.created_at <= RUN_GAP
    )


@register.filter
def in_runs(messages: Iterable[Message], first_unread: int | None = None) -> list[tuple[Message, bool, Day | None]]:
    """Each message with whether it continues its author's run (its name then shown once, above the first),
    and the day it starts when it is the first of a day on the page (none before a page of today alone).
    A run is broken by a new day and by the "New messages" divider before `first_unread`."""
    today = day_of(timezone.now())
    laid_out: list[tuple[Message, bool, Day | None]] = []
    previous: Message | None = None
    for message in messages:
        day = day_of(message.created_at)
        new_day = day != day_of(previous.created_at) if previous is not None else day != today
        continued = not new_day and message.seq != first_unread and continues_run(message, previous)
        laid_out.append((message, continued, Day(day, day_label(day, today)) if new_day else None))
        previous = message
    return laid_out


@register.filter
def css_string(value: object) -> SafeString:
    """`value` as a CSS string, quotes included, for the page's own style (<style nonce>): it cannot end the
    string, nor the element."""
    escaped = "".join(char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in str(value))
    return mark_safe(f'"{escaped}"')  # noqa: S308 (every other character escaped above)

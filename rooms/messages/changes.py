"""The skeleton every verb on messages shares (DESIGN.md §1, §2): authorise and number, save, publish after commit.

Posting, editing and deleting are each a small function (posting.py,
editing.py, deleting.py) that says who may make its change (a rule from
rooms/access.py) and what the change saves; this module does the rest, the
same way for all of them.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.forms import Form
from django.utils import timezone

from rooms.messages.broadcast import publish_change
from rooms.models import Message, Room


class NoSuchMessage(Exception):
    """The message is not one this person may change: someone else's, another room's, deleted, or unknown.

    One answer for all of them, so that trying ids tells nothing (a 404 for pages).
    """


@dataclass(frozen=True)
class ChangeResult[F: Form]:
    """What a verb answers: the form to show next (blank after a change, with its errors after a refusal),
    and the message as it now reads (None when nothing was saved)."""

    form: F
    message: Message | None


type Rule = Callable[[], QuerySet[Model]]


def make_change(
    room: Room,
    *,
    allowed: Rule,
    save: Callable[[int, datetime], Message],
    activity: bool = False,
    same_sql_for: Hashable = None,
) -> Message | None:
    """Number a change to `room` if the rule `allowed()` finds a row, save it, and publish it once committed.

    `save(change, now)` writes the change under its number and returns the
    message as it now reads; an exception from it undoes everything, the number
    included. Returns None, with nothing changed, when the rule finds nothing:
    it said no. `activity` moves the room up the lobby (new messages do).
    `same_sql_for`: see compile_rule.
    """
    with transaction.atomic():
        numbered = number_change(room, allowed=allowed, activity=activity, same_sql_for=same_sql_for)
        if numbered is None:
            return None
        change, now = numbered
        message = save(change, now)
        transaction.on_commit(partial(publish_change, message, change))
    return message


def number_change(
    room: Room, *, allowed: Rule, activity: bool, same_sql_for: Hashable = None
) -> tuple[int, datetime] | None:
    """The room's next change number and the time, if `allowed` finds a row now; else None.

    One UPDATE ... RETURNING (SQLite 3.35+ and PostgreSQL) whose condition is
    the access rule's own query, compiled by the ORM (DESIGN.md §4): it asks
    the rule again for every change (DESIGN.md §5), and it locks the room's
    row until commit, so that changes in a room take turns and numbers are
    committed in order. One statement instead of a check, a lock and a save:
    posting is the hot path, and nobody refused between a check and the write
    can slip a change in.
    """
    now = timezone.now()
    rule, rule_params = compile_rule(allowed, same_sql_for)
    room_table = connection.ops.quote_name(Room._meta.db_table)
    touch = ", last_activity_at = %s" if activity else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {room_table} SET last_seq = last_seq + 1{touch} "  # noqa: S608 (names and the ORM's SQL, not input)
            f"WHERE id = %s AND EXISTS ({rule}) RETURNING last_seq",
            [*([now] if activity else []), room.pk, *rule_params],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], now)


# Building a rule's queryset and compiling it took as long as the rest of posting together
# (bench/README.md), the same work for every message a person sends to a room. A rule whose SQL depends
# on nothing but what its caller names in `same_sql_for` (posting's: the author's and the room's ids) is
# compiled once per such key and kept; the rule is still asked of the database at every change.
_compiled_rules: OrderedDict[tuple[str, Hashable], tuple[str, tuple[Any, ...]]] = OrderedDict()
COMPILED_RULES_KEPT = 4096


def compile_rule(allowed: Rule, same_sql_for: Hashable = None) -> tuple[str, tuple[Any, ...]]:
    """The rule's query as SQL and parameters, for the numbering statement's EXISTS; kept per
    `same_sql_for` (and database) when one is given, the least recently used forgotten past
    COMPILED_RULES_KEPT."""
    key = (connection.alias, same_sql_for)
    if same_sql_for is not None and (kept := _compiled_rules.get(key)) is not None:
        _compiled_rules.move_to_end(key)
        return kept
    # Without ordering: EXISTS needs none (Room orders by activity by default).
    sql, params = allowed().order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    compiled = (sql, tuple(params))
    if same_sql_for is not None:
        _compiled_rules[key] = compiled
        if len(_compiled_rules) > COMPILED_RULES_KEPT:
            _compiled_rules.popitem(last=False)
    return compiled

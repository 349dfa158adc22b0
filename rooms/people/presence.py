"""Who is here: the people with a socket open in a room, from any of their tabs, in any process.

Ephemeral (DESIGN.md §2): nothing here is numbered or stored in the
database, and a page that (re)connects is sent the list whole, as it is now.
Where it lives is the socket machinery's business (rooms/sockets/presence.py:
this process's memory without Redis, Redis with expiry with it); this module
says what pages see:

- someone coming (their first socket in the room, anywhere) is their list
  item appended, and the count; someone going (their last closed, or their
  server died and its entries expired) is their item removed, and the count.
  Each is rendered once, per language for the count's words (DESIGN.md §3);
  the changes of a room in a short while (settings.PRESENCE_COALESCE) go
  together, as one PresenceChanged: each person's fragment, one count;
- a socket that opens gets the list whole (`list_frame`), and so does the
  room page itself (`people_here`), which without JavaScript is all there is.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from rooms.events import PersonCameOrWent, PresenceChanged
from rooms.models import Room, User
from rooms.sockets import Change, Snapshot, broadcast, present_now, process_presence

TEMPLATE = "rooms/presence.html"


async def came(room_id: int, user: User) -> None:
    """A socket of `user` opened in the room: if it is their first anywhere, every page there hears it."""
    await process_presence(publish_changes).came(room_id, user.pk, lambda: person_item(user))


def went(room_id: int, user_id: int) -> None:
    """A socket of `user_id` closed: if it was their last anywhere, every page in the room hears it."""
    process_presence(publish_changes).went(room_id, user_id)


async def list_frame(room_id: int, *, language: str) -> tuple[int, str] | None:
    """The frame that sets a page's list to who is here now, and the stamp it is true at; None if unknown."""
    snapshot = await process_presence(publish_changes).here_now(room_id)
    if snapshot is None:
        return None
    with translation.override(language):
        html = render_to_string(f"{TEMPLATE}#people-here-now", {"people": joined(snapshot), "count": snapshot.count})
    return snapshot.stamp, html.strip()


@dataclass(frozen=True)
class PeopleHere:
    people: SafeString  # their list items
    count: int


def people_here(room: Room) -> PeopleHere:
    """Who is in the room now, for its page."""
    snapshot = present_now(room.pk)
    return PeopleHere(people=joined(snapshot), count=snapshot.count)


def person_item(user: User) -> str:
    """Their item in the list, the same in every language; kept by the store for as long as they are here."""
    return render_to_string(f"{TEMPLATE}#person", {"person": user}).strip()


def render_changes(changes: list[Change]) -> PresenceChanged:
    """The frame for every page in the room: each person's item appended or removed, in the order the store
    stamped them, then the count after the last, by language. Someone who came and went in that while (or
    went and came: a reload) is in it once, as they are after it: a page then never removes what it has just
    appended, whatever order it takes a frame's parts in."""
    in_order = sorted(changes, key=lambda change: change.stamp)
    latest: dict[int, Change] = {}
    for change in in_order:
        latest.pop(change.user_id, None)  # in the order of each person's latest change
        latest[change.user_id] = change
    people = []
    for change in latest.values():
        if change.here:
            rendered = render_to_string(f"{TEMPLATE}#person-came", {"item": mark_safe(change.item)})  # noqa: S308 (ours)
        else:
            rendered = render_to_string(f"{TEMPLATE}#person-went", {"user_id": change.user_id})
        people.append(PersonCameOrWent(change.user_id, change.here, change.stamp, rendered.strip()))
    last = in_order[-1]
    count = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            count[language] = render_to_string(
                f"{TEMPLATE}#people-count", {"count": last.count, "swap_oob": True}
            ).strip()
    return PresenceChanged(room_id=last.room_id, people=tuple(people), count=count)


async def publish_changes(changes: list[Change]) -> None:
    """Publish the changes, one event per room, in the order the store made them (best effort: a page that
    reconnects gets the list). The sockets' side hands them here a few times a second at most
    (rooms/sockets/presence.py), so a crowd coming and going is a few frames, not one per person."""
    by_room: dict[int, list[Change]] = {}
    for change in changes:
        by_room.setdefault(change.room_id, []).append(change)
    for room_changes in by_room.values():
        await broadcast(render_changes(room_changes))


def joined(snapshot: Snapshot) -> SafeString:
    # Items the chat rendered itself (person_item), kept as they were: nothing typed by anyone is unescaped here.
    return mark_safe("".join(snapshot.items))  # noqa: S308

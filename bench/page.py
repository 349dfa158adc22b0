"""The room page with 50 formatted messages with reactions: how long it takes to render, and in how many queries.

`python -m bench.page [--renders 200] [--messages 50] [--reactors 3]` builds, in a fresh SQLite file under
/tmp, a room whose messages are Markdown (strong, emphasis, strikethrough, code, a link), each with three
emoji from several people, one mentioning a member, one edited and one deleted, all made through the
app's own write paths (posting, reacting, editing, deleting); then renders the room page for a member
with Django's test client (the whole middleware stack, the session and the template, no socket),
after warm-up, and prints the median, p95 and max of --renders renders and the page's query count.
tests/web/test_room_page_queries.py pins that count on the same room (build_room).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rooms.models import Room, User

EMOJI = ("👍", "🎉", "❤️")
PASSWORD = "bench page password"  # noqa: S105 (a throwaway account in a throwaway database)


def text_of(n: int) -> str:
    """Message n's text: Markdown that takes the whole parse, a little different each time."""
    return (
        f"Point {n}: **bold {n}** and _emphasis_, ~~struck~~, `code({n})` and a link "
        f"https://example.com/notes/{n}?page={n % 7}"
    )


@dataclass(frozen=True)
class BuiltRoom:
    room: "Room"
    viewer: "User"  # a member who reads the page
    people: "list[User]"  # the members who post and react (the viewer first)


def build_room(*, messages: int = 50, reactors: int = 3, slug: str = "formatted") -> BuiltRoom:
    """A room of `messages` Markdown messages, each with every emoji of EMOJI from `reactors` people (the
    viewer first), message 3 mentioning the viewer, message 5 edited and message 7 deleted, all read by
    the viewer; made through the app's write paths, as people would make them."""
    from rooms.messages.deleting import delete_message
    from rooms.messages.editing import edit_message
    from rooms.messages.posting import post_message
    from rooms.messages.reacting import toggle_reaction
    from rooms.models import User
    from rooms.people import membership, unread

    people = []
    for i in range(max(2, reactors)):
        user = User.objects.create_user(username=f"{slug}-{i}", password=PASSWORD)
        user.display_name = f"Person {i}"
        user.save()
        people.append(user)
    viewer = people[0]
    room = membership.enter_room(user=viewer, name=f"Formatted {slug}", slug=slug)
    for person in people[1:]:
        membership.join_room(user=person, room=room)
    for n in range(messages):
        author = people[n % len(people)]
        text = text_of(n) + (f" @{viewer.username}" if n == 3 else "")
        message = post_message(room=room, author=author, data={"body": text}).message
        assert message is not None, f"message {n} was refused"
        for emoji in EMOJI:
            for person in people[:reactors]:
                toggle_reaction(room=room, user=person, message_id=message.pk, data={"emoji": emoji})
        if n == 5:
            edit_message(room=room, editor=author, message_id=message.pk, data={"body": text + " _(edited)_"})
        if n == 7:
            delete_message(room=room, deleter=author, message_id=message.pk)
    room.refresh_from_db()
    # The viewer has read it all, as one who was there: a page that starts after their unread messages
    # (a room of more than a page, unread) asks once more, for the link back to them.
    unread.mark_read(viewer, room, room.last_seq)
    return BuiltRoom(room=room, viewer=viewer, people=people)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=200, help="renders timed, after warm-up (default %(default)s)")
    parser.add_argument("--warm-up", type=int, default=20, help="renders not timed first (default %(default)s)")
    parser.add_argument("--messages", type=int, default=50, help="messages in the room (default %(default)s)")
    parser.add_argument("--reactors", type=int, default=3, help="people giving each emoji (default %(default)s)")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="chat-bench-page-"))
    try:
        run(directory / "page.sqlite3", args)
    finally:
        shutil.rmtree(directory)


def run(path: Path, args: argparse.Namespace) -> None:
    import subprocess

    from bench.targets import ROOT

    url = f"sqlite:///{path}"
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DEBUG")},
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.clear()
    os.environ.update(env)
    # Building posts faster than a person may: the doors' limits are not what is measured.
    os.environ.update(MESSAGE_RATE_LIMIT="100000 per second", ROOM_MESSAGE_RATE_LIMIT="100000 per second")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    built = build_room(messages=args.messages, reactors=args.reactors)
    print(
        f"# python -m bench.page {' '.join(sys.argv[1:])}  (SQLite {path.name}; {args.messages} Markdown messages, "
        f"each with {len(EMOJI)} emoji from {args.reactors} people, one mention, one edited, one deleted; "
        f"built in {time.perf_counter() - started:.1f} s; DEBUG {settings.DEBUG})",
        flush=True,
    )
    client = Client()
    client.force_login(built.viewer)
    address = built.room.get_absolute_url()
    for _ in range(args.warm_up):
        response = client.get(address)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(address).content)
    count = len(queries)  # now: the next request empties the connection's log
    times = []
    for _ in range(args.renders):
        start = time.perf_counter_ns()
        response = client.get(address)
        times.append((time.perf_counter_ns() - start) / 1e6)
        assert response.status_code == 200
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(
        f"room page  {args.renders} renders: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"min {times[0]:.2f} ms, max {times[-1]:.2f} ms | {count} queries | {size:,} bytes",
        flush=True,
    )
    print("\n| messages | reactors per emoji | renders | median ms | p95 ms | max ms | queries | bytes |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.messages} | {args.reactors} | {args.renders} | {statistics.median(times):.2f} | {p95:.2f} | "
        f"{times[-1]:.2f} | {count} | {size:,} |"
    )


if __name__ == "__main__":
    main()

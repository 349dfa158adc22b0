"""A batch of hand-outs: sockets that are sent several frames in it write them once, at its end.

Under load a trip to the database brings back several changes at once
(rooms/sockets/database_trips.py), and each goes to every socket in the room.
Written one by one, that is one system call per frame per socket: the greater
part of a big room's cost when profiled (bench/README.md). Within a batch, a
writer that is asked to write (config/websocket_protocol.py) keeps its frames
and registers to be called at the end, when it writes them in one go.

A batch is synchronous code, with no await inside: nothing else can write to
a socket between a frame kept and the write at the end, but the writer
itself, which writes what it kept before anything else (a close, say).

The open batch is the thread's, that is its event loop's: not a context
variable, which a task started inside a batch would carry into its later
steps, after the batch has ended, and keep frames nobody would write.
"""

import contextlib
import threading
from collections.abc import Callable, Iterator


class _Open(threading.local):
    # The writers to call when this thread's open batch ends; None outside a batch.
    at_end: list[Callable[[], None]] | None = None


_open = _Open()


@contextlib.contextmanager
def one_batch() -> Iterator[None]:
    """Hand out inside; each writer registered (at_batch_end) is called once, in order, at the end."""
    if _open.at_end is not None:  # inside another: that one's end does it
        yield
        return
    _open.at_end = []
    try:
        yield
    finally:
        writers, _open.at_end = _open.at_end, None
        for write in writers:
            write()


def at_batch_end(write: Callable[[], None]) -> bool:
    """Have `write` called when this thread's open batch ends; False, and nothing kept, when none is open."""
    at_end = _open.at_end
    if at_end is None:
        return False
    at_end.append(write)
    return True

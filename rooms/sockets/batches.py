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
"""

import contextlib
from collections.abc import Callable, Iterator

# The writers to call when the open batch ends; None outside a batch.
_at_end: list[Callable[[], None]] | None = None


@contextlib.contextmanager
def one_batch() -> Iterator[None]:
    """Hand out inside; each writer registered (at_batch_end) is called once, in order, at the end."""
    global _at_end
    if _at_end is not None:  # inside another: that one's end does it
        yield
        return
    _at_end = []
    try:
        yield
    finally:
        writers, _at_end = _at_end, None
        for write in writers:
            write()


def at_batch_end(write: Callable[[], None]) -> bool:
    """Have `write` called when the open batch ends; False, and nothing kept, when no batch is open."""
    if _at_end is None:
        return False
    _at_end.append(write)
    return True

"""rooms/sockets/batches.py: what a socket is sent in one batch is written once, at the batch's end."""

import threading

from rooms.sockets.batches import at_batch_end, one_batch


def test_outside_a_batch_a_writer_writes_at_once() -> None:
    assert at_batch_end(lambda: None) is False


def test_a_batch_calls_its_writers_at_its_end_in_the_order_they_came() -> None:
    written: list[str] = []
    with one_batch():
        assert at_batch_end(lambda: written.append("ana"))
        assert at_batch_end(lambda: written.append("ben"))
        assert written == []
    assert written == ["ana", "ben"]
    assert at_batch_end(lambda: None) is False, "the batch is over"


def test_a_batch_inside_another_ends_with_the_outer_one() -> None:
    written: list[str] = []
    with one_batch():
        with one_batch():
            at_batch_end(lambda: written.append("ana"))
        assert written == []
    assert written == ["ana"]


def test_a_batch_that_fails_still_writes_what_it_kept() -> None:
    written: list[str] = []
    try:
        with one_batch():
            at_batch_end(lambda: written.append("ana"))
            raise RuntimeError("a subscriber failed")
    except RuntimeError:
        pass
    assert written == ["ana"]
    assert at_batch_end(lambda: None) is False


def test_a_batch_is_its_thread_s_alone() -> None:
    """Each event loop has a thread of its own: a batch in one must not gather another's writes."""
    elsewhere: list[bool] = []
    with one_batch():
        thread = threading.Thread(target=lambda: elsewhere.append(at_batch_end(lambda: None)))
        thread.start()
        thread.join()
    assert elsewhere == [False]

"""News of a room for its members' other pages: best effort, never in the way of what was done."""

from unittest import mock

from redis.exceptions import ConnectionError as RedisConnectionError

from rooms.models import Membership, Room, User
from rooms.people import news
from tests.conftest import say


def test_reading_while_the_channel_layer_is_down_still_marks_it_read(design: Room, ana: User, ben: User) -> None:
    message = say(design, ana, "hello")
    with mock.patch("rooms.people.news.publish", side_effect=RedisConnectionError("down")):
        news.mark_read(ben, design, message.seq)
    assert Membership.objects.get(user=ben, room=design).last_read_seq == message.seq

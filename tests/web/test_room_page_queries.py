"""The room page with 50 formatted messages with reactions (issue 14, "Measured"): its query count, pinned.

The room is bench/page.py's (`python -m bench.page` times its render): Markdown in every message, three
emoji on each from several people, a mention, an edited message and a deleted one. The count must not
grow with the messages shown nor with who reacted: a query per message or per reactor would be an N+1.
"""

import pytest
from pytest_django import DjangoAssertNumQueries

from bench.page import EMOJI, build_room
from rooms.messages.history import PAGE_SIZE
from tests.conftest import signed_in

# session, user, room, the messages with their authors, who they mention, their reactions with who gave
# them, the reader's membership, the user's rooms, what is unread in each (the reader has read the room:
# marking read is for a page with news, and a page after unread messages asks once more, for the link)
ROOM_PAGE_QUERIES = 9


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.django_db
def test_the_room_page_with_50_formatted_messages_with_reactions_costs_a_fixed_number_of_queries(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    built = build_room(messages=PAGE_SIZE, reactors=3)
    client = signed_in(built.viewer)
    page = text_of(client.get(built.room.get_absolute_url()))  # warms what is kept per process
    assert page.count("<strong>bold") == PAGE_SIZE - 1, "every message but the deleted one, formatted"
    assert 'rel="nofollow noopener ugc"' in page
    assert "(edited)" in page
    assert page.count(f'data-reactor-ids="{built.viewer.pk} ') == len(EMOJI) * (PAGE_SIZE - 1)

    with django_assert_num_queries(ROOM_PAGE_QUERIES):
        response = client.get(built.room.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_room_page_costs_no_more_queries_with_more_messages_and_more_people_reacting(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    built = build_room(messages=2 * PAGE_SIZE, reactors=6)
    client = signed_in(built.viewer)
    client.get(built.room.get_absolute_url())

    with django_assert_num_queries(ROOM_PAGE_QUERIES):
        response = client.get(built.room.get_absolute_url())
    assert text_of(response).count("<strong>bold") == PAGE_SIZE

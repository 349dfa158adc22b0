"""The news socket: a member's pages elsewhere hear of new messages in their rooms, and of their counts."""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from rooms.messages.editing import edit_message
from rooms.models import Message, Room, User
from rooms.people import membership, news
from rooms.sockets import close_codes
from tests.conftest import MakeUser, say
from tests.sockets.room_sockets import signed_in_browser

pytestmark = pytest.mark.django_db(transaction=True)  # news goes out after a real commit

OpenNews = Callable[..., Awaitable[WebsocketCommunicator]]


@pytest.fixture
async def open_news() -> AsyncIterator[OpenNews]:
    opened: list[WebsocketCommunicator] = []

    async def open_socket(
        user: User | None, *, shown: Room | None = None, browser: Client | None = None, accept: bool = True
    ) -> WebsocketCommunicator:
        headers = [(b"host", b"localhost:8000"), (b"origin", b"http://localhost:8000")]
        if user is not None:
            browser = browser or await signed_in_browser(user)
            headers.append((b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode()))
        address = "/ws/news/" + (f"?shown={shown.pk}" if shown else "")
        communicator = WebsocketCommunicator(application, address, headers=headers)
        connected, _ = await communicator.connect()
        assert connected is accept
        opened.append(communicator)
        return communicator

    yield open_socket
    for communicator in opened:
        await communicator.disconnect()


@pytest.fixture
def elsewhere(ana: User, ben: User) -> Room:
    room = membership.enter_room(user=ana, name="Elsewhere", slug="elsewhere")
    membership.enter_room(user=ben, name="Elsewhere", slug="elsewhere")
    return room


async def test_a_member_s_page_elsewhere_hears_of_a_new_message_with_its_author_and_mentions(
    design: Room, ana: User, ben: User, open_news: OpenNews
) -> None:
    ben_news = await open_news(ben)
    await database_sync_to_async(say)(design, ana, "hello @ben")

    item = await ben_news.receive_from(timeout=2)
    message = await Message.objects.aget()
    assert item.startswith('<div id="news" hx-swap-oob="beforeend">')
    assert f'<data value="{message.pk}" data-room="{design.pk}" data-room-name="Design"' in item
    assert f'data-author="{ana.pk}" data-author-name="Ana" data-mentions="{ben.pk}"' in item
    assert f'data-url="/rooms/design/messages/{message.pk}/"' in item
    assert await ben_news.receive_nothing(timeout=0.2), "once"


async def test_an_edit_is_no_news_and_a_room_one_is_not_in_is_not_heard(
    design: Room, ana: User, ben: User, make_user: MakeUser, open_news: OpenNews
) -> None:
    carl = await database_sync_to_async(make_user)("carl")
    carl_news = await open_news(carl)
    message = await database_sync_to_async(say)(design, ana, "helo")
    ben_news = await open_news(ben)
    await database_sync_to_async(edit_message)(room=design, editor=ana, message_id=message.pk, data={"body": "hello"})

    assert await ben_news.receive_nothing(timeout=0.3)
    assert await carl_news.receive_nothing(timeout=0.1)


async def test_the_room_a_page_shows_is_left_to_its_own_socket(
    design: Room, elsewhere: Room, ana: User, ben: User, open_news: OpenNews
) -> None:
    ben_news = await open_news(ben, shown=design)
    await database_sync_to_async(say)(design, ana, "in design")
    await database_sync_to_async(say)(elsewhere, ana, "elsewhere")

    item = await ben_news.receive_from(timeout=2)
    assert f'data-room="{elsewhere.pk}"' in item
    assert await ben_news.receive_nothing(timeout=0.2)


async def test_reading_a_room_sends_its_new_count_to_the_reader_s_other_pages(
    design: Room, ana: User, ben: User, open_news: OpenNews
) -> None:
    messages = [await database_sync_to_async(say)(design, ana, f"message {n}") for n in range(3)]
    ben_news = await open_news(ben)

    await database_sync_to_async(news.mark_read)(ben, design, messages[1].seq)

    count = await ben_news.receive_from(timeout=2)
    assert count.startswith(f'<span class="unread" id="unread-{design.pk}" data-messages="1" data-mentions="0"')
    assert 'hx-swap-oob="true"' in count
    assert ">1 unread</span>" in count
    await database_sync_to_async(news.mark_read)(ben, design, messages[1].seq)
    assert await ben_news.receive_nothing(timeout=0.2), "a mark that does not move tells nobody"


async def test_someone_else_s_reading_is_not_told_to_me(
    design: Room, ana: User, ben: User, open_news: OpenNews
) -> None:
    message = await database_sync_to_async(say)(design, ana, "hello")
    ana_news = await open_news(ana)
    await database_sync_to_async(news.mark_read)(ben, design, message.seq)
    assert await ana_news.receive_nothing(timeout=0.3)


async def test_nobody_signed_in_gets_no_news_socket(open_news: OpenNews) -> None:
    await open_news(None, accept=False)


async def test_a_member_removed_from_a_room_hears_no_more_of_it(
    design: Room, elsewhere: Room, ana: User, ben: User, open_news: OpenNews
) -> None:
    ben_news = await open_news(ben)
    await database_sync_to_async(membership.remove_member)(room=design, user=ben)
    await database_sync_to_async(say)(design, ana, "after you left")
    await database_sync_to_async(say)(elsewhere, ana, "still here")

    item = await ben_news.receive_from(timeout=2)
    assert f'data-room="{elsewhere.pk}"' in item, "the other rooms go on"
    assert await ben_news.receive_nothing(timeout=0.2)


async def test_signing_out_closes_that_browser_s_news_socket(ana: User, open_news: OpenNews) -> None:
    laptop = await signed_in_browser(ana)
    laptop_news = await open_news(ana, browser=laptop)

    await database_sync_to_async(laptop.post)("/accounts/logout/")

    assert await laptop_news.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.SIGNED_OUT}


async def test_a_conversation_started_with_me_after_my_page_opened_is_listed_there_and_heard_from_then(
    ana: User, ben: User, open_news: OpenNews
) -> None:
    ben_news = await open_news(ben)
    ana_news = await open_news(ana)
    conversation = await database_sync_to_async(membership.start_conversation)(user=ana, others=[ben])

    entry = await ben_news.receive_from(timeout=2)
    assert entry.startswith('<div id="news" hx-swap-oob="beforeend"><template data-joined="sidebar-conversations">')
    assert f'<li id="sidebar-room-{conversation.pk}"><a href="/rooms/{conversation.slug}/"><bdi>Ana</bdi>' in entry
    assert "<bdi>Ben</bdi>" in await ana_news.receive_from(timeout=2), "each is told the other's name"

    await database_sync_to_async(say)(conversation, ana, "hi")
    assert f'data-room="{conversation.pk}"' in await ben_news.receive_from(timeout=2)
    assert await ben_news.receive_nothing(timeout=0.2)


async def test_joining_a_room_in_one_page_lists_it_in_the_others_and_starting_the_same_conversation_again_does_not(
    design: Room, ana: User, ben: User, make_user: MakeUser, open_news: OpenNews
) -> None:
    carl = await database_sync_to_async(make_user)("carl")
    carl_news = await open_news(carl)
    await database_sync_to_async(membership.enter_room)(user=carl, name="Design", slug="design")
    entry = await carl_news.receive_from(timeout=2)
    assert '<template data-joined="sidebar-rooms">' in entry
    assert f'<li id="sidebar-room-{design.pk}"><a href="/rooms/design/"><bdi>Design</bdi></a>' in entry
    await database_sync_to_async(say)(design, ana, "hello")
    assert f'data-room="{design.pk}"' in await carl_news.receive_from(timeout=2)

    await database_sync_to_async(membership.start_conversation)(user=ana, others=[carl])
    assert "sidebar-conversations" in await carl_news.receive_from(timeout=2)
    await database_sync_to_async(membership.start_conversation)(user=carl, others=[ana])
    assert await carl_news.receive_nothing(timeout=0.3), "the same conversation: nobody joined it"

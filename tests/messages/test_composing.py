"""The sender's composer reply: the cached blank one is what a fresh render would be, in every language."""

import re
import uuid

import pytest
from django.conf import settings
from django.utils import translation

from rooms.forms import MessageForm
from rooms.messages.composing import blank_composer, render_composer

CLIENT_ID = re.compile(r'name="client_id" value="([0-9a-f-]{36})"')


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_cached_blank_composer_is_a_fresh_render_but_for_its_client_id(language: str) -> None:
    answers = str(uuid.uuid4())
    with translation.override(language):
        cached = blank_composer(answers)
        cached_again = blank_composer(answers)
        client_id = CLIENT_ID.search(cached)
        assert client_id is not None
        fresh = render_composer(MessageForm(initial={"client_id": client_id[1]}), answers)

    assert cached == fresh
    assert CLIENT_ID.search(cached_again)[1] != client_id[1], "every send starts the next message afresh"  # type: ignore[index]

"""English and Korean, chosen without JavaScript; every string a user sees is translated."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from django.test import Client

from rooms.models import Room, User
from tests.conftest import PASSWORD, SetLimit, signed_in


def korean(client: Client) -> Client:
    """Choose Korean the way a person does: the header's language form."""
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert response.status_code == 302
    return client


def test_a_visitor_can_switch_to_korean_before_signing_in_without_javascript(db: None) -> None:
    client = korean(Client())
    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="ko">' in page
    assert "<title>로그인 · 채팅</title>" in page
    assert "계정을 만드세요" in page
    assert '<option value="ko" lang="ko" selected>' in page


def test_the_lobby_and_room_speak_korean_errors_included(design: Room, ana: User) -> None:
    client = korean(signed_in(ana))

    lobby = client.get("/").content.decode()
    assert "어느 대화방에 들어가시겠어요?" in lobby
    assert "최근에 활동한 대화방" in lobby

    room = client.get("/rooms/design/").content.decode()
    assert '<label for="id_body">메시지</label>' in room
    assert 'data-text-open="연결되었습니다."' in room

    refused = client.post("/rooms/design/", {"body": "  "}).content.decode()
    assert "메시지가 비어 있습니다. 보낼 내용을 입력해 주세요." in refused
    assert "<title>오류: Design · 채팅</title>" in refused


def test_english_stays_the_default(design: Room, ana: User) -> None:
    page = signed_in(ana).get("/").content.decode()
    assert '<html lang="en">' in page
    assert "What chat room would you like to enter?" in page


# English strings that may share a Korean translation: the same words, or the same meaning.
SAME_IN_KOREAN = [
    {"Create account", "Create an account"},
    {"Display name", "display name"},
    {"Webhook address", "webhook address"},
    {"You", "you"},
]
KOREAN = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES"


def test_every_string_has_a_korean_translation_that_is_neither_fuzzy_nor_missing(tmp_path: Path) -> None:
    # The strings as the code has them now: makemessages on a copy, so that one added without a
    # translation shows as untranslated (and one whose English changed, as fuzzy).
    root = KOREAN.parents[2]
    for part in ("config", "rooms", "templates", "static", "locale"):
        shutil.copytree(root / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(root / "manage.py", tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "ko", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
    )
    statistics = subprocess.run(
        ["/usr/bin/msgfmt", "--statistics", "-o", os.devnull, tmp_path / "locale/ko/LC_MESSAGES/django.po"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", statistics), statistics


def test_no_two_different_english_strings_share_a_korean_translation_unless_meant_to() -> None:
    with (KOREAN / "django.mo").open("rb") as compiled:
        catalog: dict[object, str] = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    english_of: defaultdict[str, set[str]] = defaultdict(set)
    for english, korean in catalog.items():
        if isinstance(english, str) and english:  # plural forms are (msgid, n) tuples; "" is the header
            english_of[korean].add(english)
    shared = [strings for strings in english_of.values() if len(strings) > 1 and strings not in SAME_IN_KOREAN]
    assert not shared, f"one Korean text for different English ones: {shared}"


def test_the_limits_refusals_speak_korean(design: Room, ana: User, set_limit: SetLimit) -> None:
    for name in ("ROOM_CREATION_RATE_LIMIT", "SIGN_UP_RATE_LIMIT", "ROOM_MESSAGE_RATE_LIMIT"):
        set_limit(name, "1 per hour")
    client = korean(signed_in(ana))
    client.post("/", {"name": "First"})
    client.post("/rooms/design/", {"body": "first"})
    newcomer = korean(Client())
    fields = {"username": "dana", "display_name": "", "password1": PASSWORD, "password2": PASSWORD}
    newcomer.post("/accounts/signup/", fields)

    new_room = client.post("/", {"name": "Second"}).content.decode()
    busy_room = client.post("/rooms/design/", {"body": "second"}).content.decode()
    sign_up = korean(Client()).post("/accounts/signup/", {**fields, "username": "eli"}).content.decode()

    assert "짧은 시간에 대화방을 많이 만들어서 이 대화방은 만들지 않았습니다." in new_room
    assert "지금 이 대화방에 메시지가 너무 많이 들어오고 있습니다." in busy_room
    assert "짧은 시간에 사용 중인 네트워크에서 계정이 너무 많이 만들어져서" in sign_up

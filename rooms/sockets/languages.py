"""Which language a socket's replies speak: the one its page was rendered in.

A WebSocket has no request for LocaleMiddleware to look at, so the same
signals are read from the handshake: the language cookie the language form
sets, then the browser's Accept-Language.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


def language_of(scope: Mapping[str, Any]) -> str:
    headers = dict(scope.get("headers", []))
    accepted = [code for code, _ in parse_accept_lang_header(headers.get(b"accept-language", b"").decode("latin-1"))]
    for code in [scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, ""), *accepted]:
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)

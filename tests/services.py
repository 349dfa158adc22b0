"""The real services some tests need, and what to do when one is missing.

Under CI=true a missing service fails the test: CI must never pass by
skipping. On a newcomer's laptop the test is skipped, saying what to start.
"""

import os
import socket
from urllib.parse import urlsplit

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    """Skip (on a laptop) or fail (in CI) when a service this test needs is missing."""
    if available:
        return
    message = f"{what} is not available; see README (Tests) for how to start it"
    if running_in_ci():
        pytest.fail(f"{message} (CI=true: tests may not skip)")
    pytest.skip(message)


def is_listening(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def require_redis() -> str:
    require(is_listening(REDIS_URL), f"Redis at {REDIS_URL}")
    return REDIS_URL


def require_chromium() -> str:
    require(os.access(CHROMIUM, os.X_OK), f"Chromium at {CHROMIUM}")
    return CHROMIUM


def require_nginx() -> str:
    require(os.access(NGINX, os.X_OK), f"nginx at {NGINX}")
    return NGINX


def postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


if __name__ == "__main__":
    # `python -m tests.services postgres URL`: exit 0 when PostgreSQL answers (used by the Makefile).
    import sys

    sys.exit(0 if sys.argv[1:2] == ["postgres"] and postgres_answers(sys.argv[2]) else 1)

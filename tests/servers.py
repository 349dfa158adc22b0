"""Real servers for the browser and multi-process tests: uvicorn (or daphne's runserver) subprocesses
serving `config.asgi:application` on a database of their own.

The database follows the suite's: a fresh SQLite file when the suite runs on
SQLite, a fresh PostgreSQL database (created, migrated and dropped here) when
DATABASE_URL points at PostgreSQL.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parent.parent

# The running server behind each base URL, for tests that stop or restart one.
_processes: dict[str, subprocess.Popen[bytes]] = {}


def process_of(base_url: str) -> subprocess.Popen[bytes]:
    return _processes[base_url]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        # Every visitor of a test server comes from 127.0.0.1, and one browser-test server
        # signs up more people than a school class would; the limits have tests of their own.
        "SIGN_UP_RATE_LIMIT": "1000 per minute",
        "SIGN_IN_ADDRESS_RATE_LIMIT": "1000 per minute",
    }
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return env


@contextmanager
def live_database(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for live servers; yields its DATABASE_URL."""
    suite_url = os.environ.get("DATABASE_URL", "")
    if suite_url.startswith(("postgres://", "postgresql://")):
        yield from _postgres_database(suite_url)
    else:
        url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
        _migrate(url)
        yield url


def _postgres_database(suite_url: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(suite_url)
    name = f"chat_live_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], dbname="postgres", autocommit=True
    )
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = suite_url.rsplit("/", 1)[0] + "/" + name
    try:
        _migrate(url)
        yield url
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def _migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_environment(DATABASE_URL=database_url),
        check=True,
    )


def make_staff(database_url: str, username: str) -> None:
    """Make an account staff, in a live server's database (no page of the chat does that)."""
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(database_url) as postgres:
            updated = postgres.execute("UPDATE rooms_user SET is_staff = true WHERE username = %s", [username]).rowcount
    else:
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=10)) as sqlite, sqlite:
            updated = sqlite.execute("UPDATE rooms_user SET is_staff = 1 WHERE username = ?", [username]).rowcount
    assert updated == 1, f"no account {username!r}"


def backdate_message(database_url: str, body: str, *, days: int = 0, at: datetime | None = None) -> None:
    """Move the message that reads `body` `days` into the past, or to the moment `at`, in a live server's
    database (no page can)."""
    when = (at or datetime.now(UTC) - timedelta(days=days)).astimezone(UTC)
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(database_url) as postgres:
            updated = postgres.execute(
                "UPDATE rooms_message SET created_at = %s WHERE body = %s", [when, body]
            ).rowcount
    else:
        stored = when.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")  # as Django stores it
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=10)) as sqlite, sqlite:
            updated = sqlite.execute("UPDATE rooms_message SET created_at = ? WHERE body = ?", [stored, body]).rowcount
    assert updated == 1, f"no one message reads {body!r}"


def key_prefix_for(database_url: str) -> str:
    """Servers on one database share a Redis namespace; no other test's servers (or earlier runs) are in it."""
    return "test-" + uuid.uuid5(uuid.NAMESPACE_URL, database_url + str(os.getpid())).hex[:12]


@contextmanager
def uvicorn_server(
    *,
    database_url: str,
    redis_url: str | None = None,
    log_path: Path,
    port: int | None = None,
    plain: bool = False,
    environment: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start the production server, on a free port unless told; yields its base URL.

    The server is config/serve.py (uvicorn with our options, static files collected
    into a directory of its own), or with `plain`, bare `uvicorn config.asgi:application`.
    `environment` adds to (or overrides) the variables it is configured with.
    """
    port = port or free_port()
    command = (
        ["-m", "uvicorn", "config.asgi:application", "--port", str(port)]
        if plain
        else ["-m", "config.serve", "--host", "127.0.0.1", "--port", str(port)]
    )
    with _server(
        command, port=port, database_url=database_url, redis_url=redis_url, log_path=log_path, **(environment or {})
    ) as base_url:
        yield base_url


@contextmanager
def development_server(*, database_url: str, log_path: Path) -> Iterator[str]:
    """What `make run` starts: daphne's runserver, in debug mode; yields its base URL."""
    port = free_port()
    command = ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with _server(command, port=port, database_url=database_url, log_path=log_path, DEBUG="true") as base_url:
        yield base_url


@contextmanager
def _server(
    command: list[str], *, port: int, database_url: str, redis_url: str | None = None, log_path: Path, **env: str
) -> Iterator[str]:
    """Start `command` (python's arguments) as a server on `port`, configured by `env` over the defaults here."""
    overrides = {
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": key_prefix_for(database_url),
        "STATIC_ROOT": str(log_path.with_suffix(".static")),
        "MEDIA_ROOT": str(log_path.with_suffix(".uploads")),  # attachments, beside the log, never in var/
        **env,
    }
    if redis_url:
        overrides["REDIS_URL"] = redis_url
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=server_environment(**overrides),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        _processes[base_url] = process
        try:
            wait_until_serving(base_url, process, log_path)
            yield base_url
        finally:
            del _processes[base_url]
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_serving(base_url: str, process: subprocess.Popen[bytes], log_path: Path, *, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            # /healthz answers over plain HTTP even when the site redirects to HTTPS.
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {within} s:\n{log_path.read_text()}")

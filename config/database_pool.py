"""The check PostgreSQL's connection pool runs on a connection before lending it (settings.DATABASES)."""

from typing import Any

import psycopg
from psycopg_pool import ConnectionPool


def check_pooled_connection(connection: psycopg.Connection[Any]) -> None:
    """Pass a working connection; raise for a dead one, which the pool then replaces.

    A connection dies in the pool when the database restarts, fails over or
    times it out, and then the others have died with it. The pool would meet
    them one by one, waiting 1, 2, 4 s between them (its backoff), while a
    request waits: so at the first dead one, all the idle ones are tried now.
    """
    try:
        ConnectionPool.check_connection(connection)
    except psycopg.Error:
        from django.db import connections

        pool: ConnectionPool = connections["default"].pool  # type: ignore[attr-defined]  # PostgreSQL's wrapper has it
        pool.check()
        raise

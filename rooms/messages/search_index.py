"""The full-text index search reads (rooms/messages/search.py), made sure of after every migration.

It covers each message's text as read (Message.body_text: the rendered text without its Markdown marks),
so that the words found are the words shown, and a snippet quotes no `**` or link address.
SQLite: an external-content FTS5 table over rooms_message(body_text), kept in step by triggers, so an edited
message is found by its new words only and a deleted one (its text emptied) by none. Django remakes a
SQLite table to alter it (a new column, say), and the triggers go with the old table; so after every
`migrate` the triggers are checked, made again if they are missing, and the index rebuilt from the table.
PostgreSQL: an expression index on to_tsvector('simple', body_text), which survives any ALTER TABLE.
Migration 0016 moved the index from the text as typed (body) to body_text.
"""

import logging
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS rooms_message_fts USING fts5(body_text, content='rooms_message',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = {
    "rooms_message_fts_insert": "CREATE TRIGGER IF NOT EXISTS rooms_message_fts_insert AFTER INSERT ON rooms_message"
    " BEGIN INSERT INTO rooms_message_fts(rowid, body_text) VALUES (new.id, new.body_text); END",
    "rooms_message_fts_delete": "CREATE TRIGGER IF NOT EXISTS rooms_message_fts_delete AFTER DELETE ON rooms_message"
    " BEGIN INSERT INTO rooms_message_fts(rooms_message_fts, rowid, body_text)"
    " VALUES ('delete', old.id, old.body_text); END",
    "rooms_message_fts_update": "CREATE TRIGGER IF NOT EXISTS rooms_message_fts_update AFTER UPDATE OF body_text"
    " ON rooms_message BEGIN"
    " INSERT INTO rooms_message_fts(rooms_message_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text);"
    " INSERT INTO rooms_message_fts(rowid, body_text) VALUES (new.id, new.body_text); END",
}
POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS rooms_message_search ON rooms_message USING GIN (to_tsvector('simple', body_text))"
)


DROP_STATEMENTS = {
    "sqlite": [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
        "DROP TABLE IF EXISTS rooms_message_fts",
    ],
    "postgresql": ["DROP INDEX IF EXISTS rooms_message_search"],
}


def ensure_search_index(connection: BaseDatabaseWrapper) -> None:
    """Make the index and what keeps it in step, where any of it is missing (and fill it then)."""
    tables = connection.introspection.table_names()
    if "rooms_message" not in tables:
        return  # migrated back before messages existed
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, "rooms_message")}
        if "body_text" not in columns:
            return  # migrated back before 0016 (or migrating forward towards it, at 0008)
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_INDEX)
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'rooms_message'")
            present = {name for (name,) in cursor.fetchall()}
            if "rooms_message_fts" in tables and present >= set(SQLITE_TRIGGERS):
                return
            cursor.execute(SQLITE_TABLE)
            for statement in SQLITE_TRIGGERS.values():
                cursor.execute(statement)
            cursor.execute("INSERT INTO rooms_message_fts(rooms_message_fts) VALUES ('rebuild')")
            logger.info("made the search index again (missing: %s)", sorted(set(SQLITE_TRIGGERS) - present))


def drop_search_index(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in DROP_STATEMENTS.get(connection.vendor, []):
            cursor.execute(statement)


def after_migrate(sender: Any, using: str, **kwargs: Any) -> None:
    from django.db import connections

    ensure_search_index(connections[using])

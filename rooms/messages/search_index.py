"""The full-text index search reads (rooms/messages/search.py), made sure of after every migration.

SQLite: an external-content FTS5 table over rooms_message(body), kept in step by triggers, so an edited
message is found by its new words only and a deleted one (its text emptied) by none. Django remakes a
SQLite table to alter it (a new column, say), and the triggers go with the old table; so after every
`migrate` the triggers are checked, made again if they are missing, and the index rebuilt from the table.
PostgreSQL: an expression index on to_tsvector('simple', body), which survives any ALTER TABLE.
"""

import logging
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS rooms_message_fts USING fts5(body, content='rooms_message',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = {
    "rooms_message_fts_insert": "CREATE TRIGGER IF NOT EXISTS rooms_message_fts_insert AFTER INSERT ON rooms_message"
    " BEGIN INSERT INTO rooms_message_fts(rowid, body) VALUES (new.id, new.body); END",
    "rooms_message_fts_delete": "CREATE TRIGGER IF NOT EXISTS rooms_message_fts_delete AFTER DELETE ON rooms_message"
    " BEGIN INSERT INTO rooms_message_fts(rooms_message_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "rooms_message_fts_update": "CREATE TRIGGER IF NOT EXISTS rooms_message_fts_update AFTER UPDATE OF body"
    " ON rooms_message BEGIN"
    " INSERT INTO rooms_message_fts(rooms_message_fts, rowid, body) VALUES ('delete', old.id, old.body);"
    " INSERT INTO rooms_message_fts(rowid, body) VALUES (new.id, new.body); END",
}
POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS rooms_message_search ON rooms_message USING GIN (to_tsvector('simple', body))"
)


def ensure_search_index(connection: BaseDatabaseWrapper) -> None:
    """Make the index and what keeps it in step, where any of it is missing (and fill it then)."""
    tables = connection.introspection.table_names()
    if "rooms_message" not in tables:
        return  # migrated back before messages existed
    with connection.cursor() as cursor:
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


def after_migrate(sender: Any, using: str, **kwargs: Any) -> None:
    from django.db import connections

    ensure_search_index(connections[using])

"""Full-text search of messages (rooms/messages/search.py): an FTS5 index on SQLite, a GIN index on PostgreSQL.

SQLite: an external-content FTS5 table over rooms_message(body), kept in step by triggers, so an edited
message is found by its new words only and a deleted one (its text emptied) by none.
PostgreSQL: an expression index on to_tsvector('simple', body), which search's queries use as they are.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE rooms_message_fts USING fts5(body, content='rooms_message', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER rooms_message_fts_insert AFTER INSERT ON rooms_message BEGIN"
    " INSERT INTO rooms_message_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER rooms_message_fts_delete AFTER DELETE ON rooms_message BEGIN"
    " INSERT INTO rooms_message_fts(rooms_message_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER rooms_message_fts_update AFTER UPDATE OF body ON rooms_message BEGIN"
    " INSERT INTO rooms_message_fts(rooms_message_fts, rowid, body) VALUES ('delete', old.id, old.body);"
    " INSERT INTO rooms_message_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO rooms_message_fts(rooms_message_fts) VALUES ('rebuild')",
]
SQLITE_UNDO = [
    "DROP TRIGGER rooms_message_fts_update",
    "DROP TRIGGER rooms_message_fts_delete",
    "DROP TRIGGER rooms_message_fts_insert",
    "DROP TABLE rooms_message_fts",
]
POSTGRESQL = ["CREATE INDEX rooms_message_search ON rooms_message USING GIN (to_tsvector('simple', body))"]
POSTGRESQL_UNDO = ["DROP INDEX rooms_message_search"]


def run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("rooms", "0007_notification_levels")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}),
        ),
    ]

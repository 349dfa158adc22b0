"""Full-text search of messages: an FTS5 index on SQLite, a GIN index on PostgreSQL (rooms/messages/search_index.py,
which also makes sure of them after every later migration)."""

from django.db import migrations


def make_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rooms.messages.search_index import ensure_search_index

    ensure_search_index(schema_editor.connection)


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = {
        "sqlite": [
            "DROP TRIGGER IF EXISTS rooms_message_fts_update",
            "DROP TRIGGER IF EXISTS rooms_message_fts_delete",
            "DROP TRIGGER IF EXISTS rooms_message_fts_insert",
            "DROP TABLE IF EXISTS rooms_message_fts",
        ],
        "postgresql": ["DROP INDEX IF EXISTS rooms_message_search"],
    }
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0007_notification_levels")]

    operations = [migrations.RunPython(make_index, drop_index)]

"""Full-text search of messages: an FTS5 index on SQLite, a GIN index on PostgreSQL (rooms/messages/search_index.py,
which also makes sure of them after every later migration).

Since 0016 the index covers Message.body_text, which this migration's database does not have yet: here
ensure_search_index does nothing, and the index is made once 0016 has added the column."""

from django.db import migrations


def make_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rooms.messages.search_index import ensure_search_index

    ensure_search_index(schema_editor.connection)


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rooms.messages.search_index import drop_search_index

    drop_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0007_notification_levels")]

    operations = [migrations.RunPython(make_index, drop_index)]

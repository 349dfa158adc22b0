"""Search indexes each message's text as read (Message.body_text), not as typed: the words shown are the words
found, and a snippet quotes no Markdown marks (rooms/messages/search_index.py)."""

from django.db import migrations, models


def write_text_as_read(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rooms.messages.formatting import as_read

    Message = apps.get_model("rooms", "Message")
    for message in Message.objects.exclude(body_html="").only("pk", "body_html").iterator(chunk_size=500):
        Message.objects.filter(pk=message.pk).update(body_text=as_read(message.body_html))


def index_the_text_as_read(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rooms.messages.search_index import drop_search_index, ensure_search_index

    drop_search_index(schema_editor.connection)  # the index over the text as typed
    ensure_search_index(schema_editor.connection)


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Back before this migration, the code of that time makes its own index after `migrate`.
    from rooms.messages.search_index import drop_search_index

    drop_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0015_bot_webhooks")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(write_text_as_read, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(index_the_text_as_read, drop_index),
    ]

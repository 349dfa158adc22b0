"""Every change numbered (DESIGN.md §2): a message's latest change, edits and deletions, earlier versions, mentions.

Until now a message's only change was its creation, so its latest change is its creation number.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def latest_change_is_creation(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("rooms", "Message").objects.update(last_change=F("seq"))


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0003_lookalike_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="last_change",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(latest_change_is_creation, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                fields=("room", "last_change"), name="one_message_per_room_and_last_change"
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="edited_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="mentions",
            field=models.ManyToManyField(blank=True, related_name="mentioned_in", to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name="MessageVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("body", models.TextField(max_length=4000, verbose_name="text")),
                ("written_at", models.DateTimeField()),
                ("replaced_at", models.DateTimeField()),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="earlier_versions",
                        to="rooms.message",
                    ),
                ),
            ],
            options={"ordering": ["-replaced_at", "-pk"]},
        ),
    ]

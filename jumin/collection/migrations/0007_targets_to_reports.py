"""Township targets move to the reports app (jumin.reports): the table stays; reports'
first migration takes it over and renames it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0006_posted_due_guard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CollectionTarget")],
            database_operations=[],
        ),
    ]

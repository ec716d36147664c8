"""A posted due's money cannot change, and it is cancelled only by reversing all its entries;
see _due_trigger.py."""

from django.db import migrations

from jumin.collection.migrations import _due_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0005_due_posting"),
        ("pension", "0004_ledger_no_truncate"),
    ]

    operations = [migrations.RunPython(_due_trigger.forward, _due_trigger.backward, elidable=False)]

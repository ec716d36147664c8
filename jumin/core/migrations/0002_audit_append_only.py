"""The database itself refuses to change or delete audit entries.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL (TRUNCATE, used
only by the test harness to empty tables, is not a row delete); on SQLite the test harness
flushes tables with DELETE, so there the application-level guards alone refuse deletes.
"""

from django.db import migrations

from jumin.core.migrations import _audit_trigger


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(_audit_trigger.forward, _audit_trigger.backward)]

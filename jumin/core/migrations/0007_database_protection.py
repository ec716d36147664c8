"""PostgreSQL: TRUNCATE of the audit trail is refused by a trigger (it bypasses the row
triggers of 0002), and ``jumin_analyze`` lets the application role refresh planner statistics.

TRUNCATE fires no row trigger, so 0002's refusal of UPDATE and DELETE did not cover it; a
statement trigger does, whoever asks (the owner included: undoing it takes an explicit
``DROP TRIGGER`` that shows in the database log). The application role has no TRUNCATE
right either (``jumin db-roles``). The test harness empties tables with TRUNCATE as the
superuser under ``session_replication_role = replica``, where no trigger fires (conftest.py);
a role that is not superuser cannot set that.

``jumin_analyze(table)``: batch jobs ``ANALYZE`` a table that just grew (``jumin.core.database
.refresh_statistics``), and PostgreSQL lets only a table's owner do that. The function runs
as its owner (the role that ran the migration) and does nothing but ANALYZE; ``jumin
db-roles`` grants it to the application role, nobody else may call it.

SQLite has no TRUNCATE and no roles: nothing to do there.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse();""",
    """CREATE OR REPLACE FUNCTION jumin_analyze(target regclass) RETURNS void
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
       BEGIN EXECUTE format('ANALYZE %s', target); END; $$;""",
    "REVOKE ALL ON FUNCTION jumin_analyze(regclass) FROM PUBLIC;",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP FUNCTION IF EXISTS jumin_analyze(regclass);",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_remove_homemade_lockout")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

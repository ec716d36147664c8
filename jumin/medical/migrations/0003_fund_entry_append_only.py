"""The database itself refuses to change medical fund entries (and, on PostgreSQL, to
delete them), as for the audit trail; see core/migrations/_audit_trigger.py."""

from django.db import migrations

TABLE = "medical_fundentry"

FORWARD = {
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'medical fund ledger is append-only'); END;""",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'medical fund ledger is append-only'; END; $$
            LANGUAGE plpgsql;""",
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};",
        f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse();""",
    ],
}
BACKWARD = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};",
        f"DROP FUNCTION IF EXISTS {TABLE}_refuse();",
    ],
}


def forward(apps, schema_editor):
    for statement in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in BACKWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("medical", "0002_enrolment_financing_fund")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

"""PostgreSQL: TRUNCATE of the personal-account ledger is refused by a trigger, as for the
audit trail (see core/migrations/0007_database_protection.py): TRUNCATE fires none of the row
triggers of 0003. SQLite has no TRUNCATE."""

from django.db import migrations

TABLE = "pension_accountentry"

POSTGRES_FORWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse();""",
]
POSTGRES_BACKWARD = [f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("pension", "0003_account_entry_append_only")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

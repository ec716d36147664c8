"""The database itself refuses to change or delete audit entries.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL (TRUNCATE, used
only by the test harness to empty tables, is not a row delete); on SQLite the test harness
flushes tables with DELETE, so there the application-level guards alone refuse deletes.

Any later migration that makes SQLite rebuild core_auditentry must run ``forward`` again.
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditentry_no_update;"]

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;",
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)

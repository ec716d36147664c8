"""The database itself keeps a posted due's money as it was posted (any scheme).

Once a due is ``posted`` its scheme has credited its money (the pension to the personal
account): its amount, paid amount, subsidy, person, year, kind and scheme may no longer change,
or the due and the scheme would tell two stories, and its status may only become
``cancelled`` (the scheme's reversal). Other columns (the village after a move, notes of
payment) stay free. Refusals are integrity errors on both databases. The scheme guards its own
columns and decides when a cancel is allowed (the pension: once every entry is reversed; see
``jumin/pension/migrations/_posted_contribution.py``).

Any later migration that makes SQLite rebuild ``collection_due`` (an ``AlterField`` there
does) must run ``forward`` again, as for the audit trail's trigger (and the schemes' triggers
on this table theirs). Replaces ``_due_trigger`` (migration 0006), whose guard read the
pension's ledger.
"""

TABLE = "collection_due"
POSTED, CANCELLED = "posted", "cancelled"
FROZEN = ("amount", "paid_amount", "subsidy", "person_id", "year", "kind", "scheme")


def _changed(operator: str) -> str:
    return " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in FROZEN)


SQLITE_FORWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_money;",
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_status;",
    f"""CREATE TRIGGER {TABLE}_posted_money
        BEFORE UPDATE OF {", ".join(FROZEN)} ON {TABLE}
        WHEN OLD.status = '{POSTED}' AND ({_changed("IS NOT")})
        BEGIN SELECT RAISE(ABORT, 'due is posted: its money cannot change'); END;""",
    f"""CREATE TRIGGER {TABLE}_posted_status
        BEFORE UPDATE OF status ON {TABLE}
        WHEN OLD.status = '{POSTED}' AND NEW.status IS NOT '{POSTED}'
         AND NEW.status IS NOT '{CANCELLED}'
        BEGIN SELECT RAISE(ABORT,
            'due is posted: only its scheme''s reversal may cancel it'); END;""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_money;",
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_status;",
]

POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_posted_guard() RETURNS trigger AS $$
        BEGIN
            IF {_changed("IS DISTINCT FROM")} THEN
                RAISE EXCEPTION 'due % is posted: its money cannot change', OLD.id
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF NEW.status IS DISTINCT FROM OLD.status
               AND NEW.status IS DISTINCT FROM '{CANCELLED}' THEN
                RAISE EXCEPTION 'due % is posted: only its scheme''s reversal may cancel it',
                    OLD.id USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_guard ON {TABLE};",
    # WHEN: the guard costs nothing to the updates of dues not yet posted (posting itself)
    f"""CREATE TRIGGER {TABLE}_posted_guard BEFORE UPDATE ON {TABLE}
        FOR EACH ROW WHEN (OLD.status = '{POSTED}')
        EXECUTE FUNCTION {TABLE}_posted_guard();""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_guard ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_posted_guard();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)

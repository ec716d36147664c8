"""The database itself keeps a posted due's money as it was posted.

Once a due is ``posted`` its ledger entries were computed from its amount, paid amount, the
four subsidies, grade, person, year and kind: none of them may change, or the due and the
personal account would tell two stories. Its status may only become ``cancelled``, and only
once its entries add up to 0 (every one reversed), which is what ``pension.accounts
.due_reverse`` does (reversals first, then the status). Other columns (the village after a
move, notes of payment) stay free. Refusals are integrity errors on both databases.

The status check reads ``pension_accountentry``: the migration that installs this depends on
the ledger's table. Any later migration that makes SQLite rebuild ``collection_due`` (an
``AlterField`` there does) must run ``forward`` again, as for the audit trail's trigger.
"""

TABLE = "collection_due"
LEDGER = "pension_accountentry"
POSTED, CANCELLED = "posted", "cancelled"
FROZEN = (
    "amount",
    "paid_amount",
    "subsidy_province",
    "subsidy_city",
    "subsidy_county",
    "collective_subsidy",
    "grade",
    "person_id",
    "year",
    "kind",
)


def _changed(operator: str) -> str:
    return " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in FROZEN)


STANDING = f"(SELECT COALESCE(SUM(amount), 0) FROM {LEDGER} WHERE due_id = OLD.id)"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_posted_money
        BEFORE UPDATE OF {", ".join(FROZEN)} ON {TABLE}
        WHEN OLD.status = '{POSTED}' AND ({_changed("IS NOT")})
        BEGIN SELECT RAISE(ABORT, 'due is posted: its money cannot change'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_posted_status
        BEFORE UPDATE OF status ON {TABLE}
        WHEN OLD.status = '{POSTED}' AND NEW.status IS NOT '{POSTED}'
         AND (NEW.status IS NOT '{CANCELLED}' OR ROUND({STANDING}, 2) <> 0)
        BEGIN SELECT RAISE(ABORT,
            'due is posted: only reversing all its entries may cancel it'); END;""",
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
               AND (NEW.status IS DISTINCT FROM '{CANCELLED}' OR {STANDING} <> 0) THEN
                RAISE EXCEPTION 'due % is posted: only reversing all its entries may cancel it',
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

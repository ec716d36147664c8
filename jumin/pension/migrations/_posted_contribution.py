"""The database keeps what the pension credited for a posted due (with collection's guard on
the due's own columns, ``collection/migrations/_posted_due.py``).

- ``pension_contributiondue``: once its due is ``posted``, the grade, the four subsidies, the
  plan, the enrolment and the posting run that credited it cannot change (the run may only be
  recorded once, from none: the posting marks the due posted, then names itself here, in one
  transaction), and the row cannot be deleted.
- ``collection_due``: a posted pension due becomes ``cancelled`` only once its ledger entries
  add up to 0 (every one reversed), which is what ``pension.accounts.due_reverse`` does.

The second trigger lives on collection's table: a later migration that makes SQLite rebuild
``collection_due`` must run ``forward`` again (``jumin/core/tests/test_db_protection.py``
fails otherwise).
"""

TABLE = "pension_contributiondue"
DUE = "collection_due"
LEDGER = "pension_accountentry"
POSTED, CANCELLED = "posted", "cancelled"
FROZEN = (
    "grade",
    "subsidy_province",
    "subsidy_city",
    "subsidy_county",
    "collective_subsidy",
    "plan_id",
    "enrolment_id",
)
IS_POSTED = f"(SELECT status FROM {DUE} WHERE id = OLD.due_id) = '{POSTED}'"
STANDING = f"(SELECT COALESCE(SUM(amount), 0) FROM {LEDGER} WHERE due_id = OLD.id)"


def _changed(operator: str) -> str:
    return " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in FROZEN)


SQLITE_FORWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_money;",
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_delete;",
    f"DROP TRIGGER IF EXISTS {DUE}_posted_ledger;",
    f"""CREATE TRIGGER {TABLE}_posted_money
        BEFORE UPDATE ON {TABLE}
        WHEN {IS_POSTED} AND ({_changed("IS NOT")}
             OR (OLD.posting_id IS NOT NULL AND NEW.posting_id IS NOT OLD.posting_id))
        BEGIN SELECT RAISE(ABORT, 'due is posted: its contribution cannot change'); END;""",
    f"""CREATE TRIGGER {TABLE}_posted_delete
        BEFORE DELETE ON {TABLE}
        WHEN {IS_POSTED}
        BEGIN SELECT RAISE(ABORT, 'due is posted: its contribution cannot go'); END;""",
    f"""CREATE TRIGGER {DUE}_posted_ledger
        BEFORE UPDATE OF status ON {DUE}
        WHEN OLD.status = '{POSTED}' AND NEW.status = '{CANCELLED}'
         AND ROUND({STANDING}, 2) <> 0
        BEGIN SELECT RAISE(ABORT,
            'due is posted: only reversing all its entries may cancel it'); END;""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_money;",
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_delete;",
    f"DROP TRIGGER IF EXISTS {DUE}_posted_ledger;",
]

POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_posted_guard() RETURNS trigger AS $$
        BEGIN
            IF NOT {IS_POSTED} THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'due % is posted: its contribution cannot go', OLD.due_id
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF {_changed("IS DISTINCT FROM")}
               OR (OLD.posting_id IS NOT NULL
                   AND NEW.posting_id IS DISTINCT FROM OLD.posting_id) THEN
                RAISE EXCEPTION 'due % is posted: its contribution cannot change', OLD.due_id
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_guard ON {TABLE};",
    # no WHEN: PostgreSQL allows no subquery there; the function returns at once for a due
    # not posted (one index look-up)
    f"""CREATE TRIGGER {TABLE}_posted_guard BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_posted_guard();""",
    f"""CREATE OR REPLACE FUNCTION {DUE}_posted_ledger() RETURNS trigger AS $$
        BEGIN
            IF {STANDING} <> 0 THEN
                RAISE EXCEPTION 'due % is posted: only reversing all its entries may cancel it',
                    OLD.id USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {DUE}_posted_ledger ON {DUE};",
    f"""CREATE TRIGGER {DUE}_posted_ledger BEFORE UPDATE OF status ON {DUE}
        FOR EACH ROW WHEN (OLD.status = '{POSTED}' AND NEW.status = '{CANCELLED}')
        EXECUTE FUNCTION {DUE}_posted_ledger();""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_posted_guard ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_posted_guard();",
    f"DROP TRIGGER IF EXISTS {DUE}_posted_ledger ON {DUE};",
    f"DROP FUNCTION IF EXISTS {DUE}_posted_ledger();",
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

"""A confirmation that commits while a posting chunk is in progress.

The posting runs on the test's connection; a hook on that connection waits, right after the
chunk's first ledger insert, until a withholding batch or the government-paid funds are
confirmed on another connection. Before the fix the chunk's later statements saw the newly
confirmed dues and marked them posted with only some of their entries (money lost, never
repaired by a re-run); now the chunk credits exactly the dues it marked, and the newly
confirmed ones wait, whole, for the next run.
"""

from decimal import Decimal

import pytest
from django.db import connection

from jumin.collection.models import (
    BatchStatus,
    Channel,
    Due,
    DueKind,
    DueStatus,
    LineResult,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.services.reconciliation import government_paid_confirm
from jumin.collection.services.withholding import batch_confirm
from jumin.core.models import Role
from jumin.pension.models import AccountEntry
from jumin.pension.queries.ledger_check import ledger_check
from jumin.pension.services import posting as posting_module
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PensionDueFactory, PlanFactory
from jumin.testing.concurrency import in_other_connection, postgres_only

SUBSIDIES = {"subsidy_province": "30.00", "subsidy_city": "10.00", "subsidy_county": "20.00"}
PER_DUE = Decimal("200.00") + Decimal("60.00")  # the contribution and the three subsidies


def confirmed_and_late(tree, staff, *, late_kind):
    """Dues with interleaved ids: ``late`` ones about to be confirmed (paid through a
    withholding batch, or open government-paid dues) and confirmed ones, the last id a
    confirmed one (so every late due lies in the posting's first and only chunk)."""
    plan = PlanFactory()
    confirmed, late = [], []
    for index in range(6):
        village = tree.village_a1 if index % 2 else tree.village_b1
        if late_kind == DueKind.GOVERNMENT_PAID:
            due = PensionDueFactory(
                plan=plan,
                person=EnrolmentFactory(village=village).person,
                kind=DueKind.GOVERNMENT_PAID,
                **SUBSIDIES,
            )
        else:
            due = PensionDueFactory(
                plan=plan,
                person=EnrolmentFactory(village=village).person,
                status=DueStatus.PAID,
                channel=Channel.BANK,
                **SUBSIDIES,
            )
        late.append(due)
        confirmed.append(
            PensionDueFactory(
                plan=plan,
                person=EnrolmentFactory(village=village).person,
                status=DueStatus.CONFIRMED,
                **SUBSIDIES,
            )
        )
    return confirmed, late


def withholding_batch(tree, dues):
    batch = WithholdingBatch.objects.create(
        region=tree.county,
        bank="农商行",
        year=YEAR,
        round=1,
        status=BatchStatus.RESULT_IMPORTED,
        line_count=len(dues),
    )
    for number, due in enumerate(dues, start=1):
        WithholdingLine.objects.create(
            batch=batch,
            line_number=number,
            due=due,
            person=due.person,
            village=due.village,
            account_number=f"62280000{number:06d}",
            amount=due.amount,
            result=LineResult.PAID,
        )
    return batch


def confirm_during_the_first_chunk(confirm):
    """A hook on the test's connection: after the chunk's first ledger insert has run, let
    ``confirm`` commit on another connection, once."""
    table = AccountEntry._meta.db_table
    fired = []

    def hook(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not fired and sql.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            fired.append(sql)
            in_other_connection(confirm)
        return result

    return hook, fired


def post(staff):
    return posting_module.post_confirmed(
        acting_user=staff[Role.FINANCE], region_code="341125", year=YEAR
    )


def standing(due) -> Decimal:
    return AccountEntry.objects.filter(due=due).balance()


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("late_kind", [DueKind.PERSONAL, DueKind.GOVERNMENT_PAID])
def test_a_confirmation_during_a_chunk_loses_no_money(tree, staff, late_kind):
    confirmed, late = confirmed_and_late(tree, staff, late_kind=late_kind)
    finance = staff[Role.FINANCE]
    if late_kind == DueKind.GOVERNMENT_PAID:

        def confirm():
            return government_paid_confirm(
                acting_user=finance,
                region_code="341125",
                year=YEAR,
                amount=sum(due.amount for due in late),
                reference="财拨2026-001",
            )
    else:
        batch = withholding_batch(tree, late)

        def confirm():
            return batch_confirm(acting_user=finance, batch=batch)

    hook, fired = confirm_during_the_first_chunk(confirm)
    with connection.execute_wrapper(hook):
        first = post(staff)
    assert fired, "the confirmation never ran inside the chunk"
    assert Due.objects.filter(pk__in=[d.pk for d in late], status=DueStatus.CONFIRMED).count() == 6
    # the run credited exactly the dues it had locked, each one whole ...
    assert (first.due_count, first.entry_count) == (6, 24)
    assert first.amount_sum == 6 * PER_DUE
    for due in confirmed:
        assert standing(due) == PER_DUE
    # ... and left the late ones untouched and whole for the next run
    for due in late:
        due.refresh_from_db()
        assert due.status == DueStatus.CONFIRMED and due.contribution.posting_id is None
        assert not AccountEntry.objects.filter(due=due).exists()
    assert ledger_check(county_prefix="341125").ok

    second = post(staff)
    assert (second.due_count, second.entry_count) == (6, 24)
    for due in late:
        due.refresh_from_db()
        assert due.status == DueStatus.POSTED and due.contribution.posting_id == second.pk
        assert standing(due) == PER_DUE
    assert ledger_check(county_prefix="341125", year=YEAR).ok
    assert AccountEntry.objects.balance() == 12 * PER_DUE


def test_the_posting_row_counts_each_committed_chunk(tree, staff, monkeypatch):
    """A run that dies in its second chunk leaves a row that tells what it committed (the
    first chunk), and the next run finishes the rest (SQLite and PostgreSQL)."""
    confirmed, _ = confirmed_and_late(tree, staff, late_kind=DueKind.PERSONAL)
    monkeypatch.setattr(posting_module, "CHUNK", 4)
    inserts = []

    def die_in_the_second_chunk(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT INTO PENSION_ACCOUNTENTRY"):
            inserts.append(sql)
            if len(inserts) == len(posting_module.SOURCES) + 1:
                raise KeyboardInterrupt("killed")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(die_in_the_second_chunk), pytest.raises(KeyboardInterrupt):
        post(staff)
    killed = posting_module.Posting.objects.get()
    assert (killed.due_count, killed.entry_count, killed.amount_sum) == (4, 16, 4 * PER_DUE)
    assert Due.objects.filter(status=DueStatus.POSTED).count() == 4
    assert AccountEntry.objects.count() == 16
    assert ledger_check().ok
    resumed = post(staff)
    assert (resumed.due_count, resumed.entry_count) == (2, 8)
    assert all(standing(due) == PER_DUE for due in confirmed)

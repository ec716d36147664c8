"""Monthly reconciliation: each kind of difference, confirm rules, government funds."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jumin.collection.models import (
    Channel,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    Reconciliation,
    ReconciliationStatus,
)
from jumin.collection.reconciliation import (
    government_paid_confirm,
    reconciliation_compute,
    reconciliation_confirm,
)
from jumin.collection.tests.reconciliation_testing import (
    MARCH,
    YEAR,
    clean_month,
    make_book,
    make_deposit,
    make_due,
    make_line,
    make_receipt,
    paying_person,
    seed_plan,
)
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import EnrolmentStatus


@pytest.fixture
def plan(db):
    return seed_plan()


def kinds(row):
    return sorted(item["kind"] for item in row.differences)


def compute(staff, region, month=MARCH):
    return reconciliation_compute(staff[Role.TOWNSHIP_CLERK], region, month)


def test_clean_month_has_no_difference_and_the_right_totals(tree, staff, plan):
    clean_month(tree, staff, plan)
    paying_person(tree.village_a1, staff)  # on the roster, did not pay in March
    row = compute(staff, tree.village_a1)
    assert row.differences == []
    assert (row.roster_count, row.receipt_count) == (2, 1)
    assert row.receipt_sum == row.deposit_sum == row.statement_sum == Decimal("200.00")
    assert Reconciliation.objects.get(region=tree.village_a1, month=MARCH) == row
    compute(staff, tree.village_a1)  # again: the same row, one audit entry per computation
    assert Reconciliation.objects.count() == 1
    assert AuditEntry.objects.filter(action="collection.reconciliation.compute").count() == 2


def test_receipt_without_deposit(tree, staff, plan):
    person = paying_person(tree.village_a1, staff)
    due = make_due(plan, person)
    make_receipt(make_book(staff[Role.VILLAGE_ASSISTANT], tree.village_a1), due)
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["receipt_without_deposit"]
    assert "还没有缴存" in row.differences[0]["text"] and row.differences[0]["blocking"]


def test_deposit_without_receipts(tree, staff, plan):
    make_deposit(tree.village_a1, staff[Role.VILLAGE_ASSISTANT], slip="S5")
    make_line(tree.county, reference="S5")
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["deposit_without_receipts"]
    assert "S5" in row.differences[0]["text"]


def test_deposit_amount_differs(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["deposit"]).objects.filter(pk=month["deposit"].pk).update(amount=Decimal("250.00"))
    type(month["line"]).objects.filter(pk=month["line"].pk).update(amount=Decimal("250.00"))
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["deposit_amount_differs"]
    assert "相差 50.00 元" in row.differences[0]["text"]


def test_statement_amount_differs(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["line"]).objects.filter(pk=month["line"].pk).update(amount=Decimal("190.00"))
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["statement_amount_differs"]
    assert "到账 190.00 元" in row.differences[0]["text"]


def test_deposit_not_in_statement(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["line"]).objects.filter(pk=month["line"].pk).update(reference="OTHER", deposit=None)
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["deposit_not_in_statement"]


def test_statement_line_found_later_is_matched_by_slip_number(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["line"]).objects.filter(pk=month["line"].pk).update(deposit=None)
    row = compute(staff, tree.village_a1)
    assert row.differences == []
    month["line"].refresh_from_db()
    assert month["line"].deposit == month["deposit"]


def test_statement_without_deposit_shows_on_the_county_row(tree, staff, plan):
    make_line(tree.county, reference="NOBODY", amount="80.00", on=datetime.date(YEAR, 3, 5))
    make_line(tree.county, reference="APRIL", amount="80.00", on=datetime.date(YEAR, 4, 5))
    row = reconciliation_compute(staff[Role.FINANCE], tree.county, MARCH)
    assert kinds(row) == ["statement_without_deposit"]
    assert "NOBODY" in row.differences[0]["text"]
    # the village and township rows were stored too, and have nothing
    assert Reconciliation.objects.filter(month=MARCH).count() == 1 + 2 + 4


def test_late_deposit_is_listed_but_does_not_block(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["deposit"]).objects.filter(pk=month["deposit"].pk).update(
        deposited_on=datetime.date(YEAR, 3, 27)
    )
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["late_deposit"]
    assert "晚于截止日 2026-03-25" in row.differences[0]["text"]
    assert not row.differences[0]["blocking"]
    row = reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    assert row.status == ReconciliationStatus.CONFIRMED


def test_receipt_after_deposit_day_belongs_to_next_cycle(tree, staff, plan):
    person = paying_person(tree.village_a1, staff)
    due = make_due(plan, person)
    receipt = make_receipt(
        make_book(staff[Role.VILLAGE_ASSISTANT], tree.village_a1),
        due,
        on=datetime.date(YEAR, 3, 28),
    )
    deposit = make_deposit(
        tree.village_a1,
        staff[Role.VILLAGE_ASSISTANT],
        on=datetime.date(YEAR, 4, 3),
        receipts=[receipt],
    )
    make_line(tree.county, deposit=deposit)
    assert compute(staff, tree.village_a1).differences == []


def test_payer_not_on_roster_name_differs_informs(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["receipt"]).objects.filter(pk=month["receipt"].pk).update(payer_name="张三丰")
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["payer_not_on_roster"]
    assert "张三丰" in row.differences[0]["text"] and not row.differences[0]["blocking"]


def test_payer_not_on_roster_without_paying_enrolment_blocks(tree, staff, plan):
    person = paying_person(tree.village_a1, staff, status=EnrolmentStatus.PAUSED)
    due = make_due(plan, person)
    receipt = make_receipt(make_book(staff[Role.VILLAGE_ASSISTANT], tree.village_a1), due)
    deposit = make_deposit(tree.village_a1, staff[Role.VILLAGE_ASSISTANT], receipts=[receipt])
    make_line(tree.county, deposit=deposit)
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["payer_not_on_roster"] and row.differences[0]["blocking"]
    with pytest.raises(ValidationError):
        reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)


def test_deposit_not_county_checked_blocks(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["deposit"]).objects.filter(pk=month["deposit"].pk).update(
        status=DepositStatus.TOWNSHIP_CHECKED
    )
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["deposit_not_county_checked"]


def test_confirm_refused_with_blocking_differences(tree, staff, plan):
    person = paying_person(tree.village_a1, staff)
    due = make_due(plan, person)
    make_receipt(make_book(staff[Role.VILLAGE_ASSISTANT], tree.village_a1), due)
    row = compute(staff, tree.village_a1)
    with pytest.raises(ValidationError) as error:
        reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    assert "还有 1 处差异没有解决" in error.value.messages[0]
    row.refresh_from_db()
    due.refresh_from_db()
    assert row.status == ReconciliationStatus.DRAFT and due.status == DueStatus.PAID


def test_confirm_clean_month_confirms_its_dues_once(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    other = clean_month(tree, staff, plan, slip="S2", village=tree.village_b1)
    row = compute(staff, tree.village_a1)
    confirmed = reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    assert confirmed.status == ReconciliationStatus.CONFIRMED
    assert confirmed.confirmed_by == staff[Role.TOWNSHIP_CLERK]
    month["due"].refresh_from_db()
    other["due"].refresh_from_db()
    assert month["due"].status == DueStatus.CONFIRMED and month["due"].confirmed_at
    assert other["due"].status == DueStatus.PAID  # another township, not covered
    entry = AuditEntry.objects.get(action="collection.reconciliation.confirm")
    assert entry.after["dues_confirmed"] == 1
    # sent twice: nothing more happens
    reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    assert AuditEntry.objects.filter(action="collection.reconciliation.confirm").count() == 1


def test_township_row_aggregates_its_villages_and_confirms_them(tree, staff, plan):
    clean_month(tree, staff, plan, slip="S1", village=tree.village_a1)
    clean_month(tree, staff, plan, slip="S2", village=tree.village_a2, amount="300.00")
    row = compute(staff, tree.township_a)
    assert row.receipt_count == 2 and row.receipt_sum == Decimal("500.00")
    assert row.statement_sum == Decimal("500.00") and row.roster_count == 2
    reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    assert set(Reconciliation.objects.filter(month=MARCH).values_list("region_id", "status")) == {
        (tree.township_a.code, "confirmed"),
        (tree.village_a1.code, "confirmed"),
        (tree.village_a2.code, "confirmed"),
    }
    assert Due.objects.filter(status=DueStatus.CONFIRMED).count() == 2


def test_township_difference_blocks_the_township(tree, staff, plan):
    clean_month(tree, staff, plan, slip="S1", village=tree.village_a1)
    person = paying_person(tree.village_a2, staff)
    make_receipt(make_book(staff[Role.VILLAGE_ASSISTANT], tree.village_a2), make_due(plan, person))
    row = compute(staff, tree.township_a)
    assert kinds(row) == ["receipt_without_deposit"]
    assert row.differences[0]["village_name"] == tree.village_a2.name
    with pytest.raises(ValidationError):
        reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)


def test_recomputing_a_confirmed_month(tree, staff, plan):
    clean_month(tree, staff, plan)
    row = compute(staff, tree.village_a1)
    reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    again = compute(staff, tree.village_a1)
    assert again.status == ReconciliationStatus.CONFIRMED  # nothing changed
    # a receipt entered later with a March date: the month goes back to draft
    person = paying_person(tree.village_a1, staff)
    make_receipt(make_book(staff[Role.VILLAGE_ASSISTANT], tree.village_a1), make_due(plan, person))
    again = compute(staff, tree.village_a1)
    assert again.status == ReconciliationStatus.DRAFT and again.receipt_count == 2
    assert again.confirmed_at is None
    assert AuditEntry.objects.filter(action="collection.reconciliation.reopen").count() == 1


def test_confirm_permissions_and_scope(tree, staff, plan):
    clean_month(tree, staff, plan, village=tree.village_b1)
    row = reconciliation_compute(staff[Role.FINANCE], tree.village_b1, MARCH)
    with pytest.raises(PermissionDeniedForRole):
        reconciliation_confirm(acting_user=staff[Role.VILLAGE_ASSISTANT], reconciliation=row)
    with pytest.raises(PermissionDeniedForRole):
        reconciliation_confirm(acting_user=staff[Role.COUNTY_CLERK], reconciliation=row)
    with pytest.raises(ValidationError):  # township B is not the clerk's
        reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    with pytest.raises(ValidationError):
        reconciliation_compute(staff[Role.TOWNSHIP_CLERK], tree.county, MARCH)
    county = reconciliation_compute(staff[Role.FINANCE], tree.county, MARCH)
    confirmed = reconciliation_confirm(acting_user=staff[Role.FINANCE], reconciliation=county)
    assert confirmed.status == ReconciliationStatus.CONFIRMED
    assert Due.objects.get().status == DueStatus.CONFIRMED


# --------------------------------------------------------------------------- government funds


def _government_due(plan, tree, staff, amount, status=DueStatus.OPEN, village=None):
    person = paying_person(village or tree.village_a1, staff)
    return make_due(
        plan,
        person,
        amount=amount,
        kind=DueKind.GOVERNMENT_PAID,
        status=status,
        channel=Channel.GOVERNMENT,
    )


def test_government_paid_confirm(tree, staff, plan):
    first = _government_due(plan, tree, staff, "100.00")
    second = _government_due(plan, tree, staff, "200.00", village=tree.village_b2)
    with pytest.raises(ValidationError) as error:
        government_paid_confirm(
            acting_user=staff[Role.FINANCE],
            region_code="341125",
            year=YEAR,
            amount="250",
            reference="CZ-1",
        )
    assert "250.00" in error.value.messages[0] and "300.00" in error.value.messages[0]
    count = government_paid_confirm(
        acting_user=staff[Role.FINANCE],
        region_code="341125",
        year=YEAR,
        amount=Decimal("300.00"),
        reference="CZ-1",
    )
    assert count == 2
    for due in (first, second):
        due.refresh_from_db()
        assert due.status == DueStatus.CONFIRMED and due.channel == Channel.GOVERNMENT
        assert due.paid_amount == due.amount and due.payment_reference == "CZ-1"
    assert AuditEntry.objects.get(action="collection.government_paid.confirm").after["count"] == 2
    with pytest.raises(ValidationError) as error:  # sent twice
        government_paid_confirm(
            acting_user=staff[Role.FINANCE],
            region_code="341125",
            year=YEAR,
            amount=Decimal("300.00"),
            reference="CZ-1",
        )
    assert "已经确认过" in error.value.messages[0]
    with pytest.raises(PermissionDeniedForRole):
        government_paid_confirm(
            acting_user=staff[Role.COUNTY_ADMIN],
            region_code="341125",
            year=YEAR,
            amount=1,
            reference="x",
        )

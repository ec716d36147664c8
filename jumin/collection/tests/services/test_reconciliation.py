"""Monthly reconciliation: each kind of difference, confirm rules, government funds."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jumin.collection.models import (
    Channel,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    Reconciliation,
    ReconciliationStatus,
)
from jumin.collection.queries.reconciliation import month_figures, village_figures
from jumin.collection.services.reconciliation import (
    government_paid_confirm,
    reconciliation_compute,
    reconciliation_confirm,
)
from jumin.collection.tests.factories import (
    MARCH,
    YEAR,
    BankStatementLineFactory,
    DepositFactory,
    ReceiptBookFactory,
    ReceiptFactory,
    clean_month,
)
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.pension.models import EnrolmentStatus
from jumin.pension.tests.factories import EnrolmentFactory, PensionDueFactory, PlanFactory
from jumin.testing.factories import RegionFactory, StaffFactory


@pytest.fixture
def plan(db):
    return PlanFactory()


def kinds(row):
    return sorted(item["kind"] for item in row.differences)


def compute(staff, region, month=MARCH):
    return reconciliation_compute(staff[Role.TOWNSHIP_CLERK], region, month)


def test_clean_month_has_no_difference_and_the_right_totals(tree, staff, plan):
    clean_month(tree, staff, plan)
    EnrolmentFactory(village=tree.village_a1)  # on the roster, did not pay in March
    row = compute(staff, tree.village_a1)
    assert row.differences == []
    assert (row.roster_count, row.receipt_count) == (2, 1)
    assert row.receipt_sum == row.deposit_sum == row.statement_sum == Decimal("200.00")
    assert Reconciliation.objects.get(region=tree.village_a1, month=MARCH) == row
    compute(staff, tree.village_a1)  # again: the same row, one audit entry per computation
    assert Reconciliation.objects.count() == 1
    assert AuditEntry.objects.filter(action="collection.reconciliation.compute").count() == 2


def test_receipt_without_deposit(tree, staff, plan):
    person = EnrolmentFactory(village=tree.village_a1).person
    due = PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID)
    ReceiptFactory(
        book=ReceiptBookFactory(
            holder=staff[Role.VILLAGE_ASSISTANT], holder_region=tree.village_a1
        ),
        due=due,
    )
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["receipt_without_deposit"]
    assert "还没有缴存" in row.differences[0]["text"] and row.differences[0]["blocking"]


def test_deposit_without_receipts(tree, staff, plan):
    DepositFactory(
        village=tree.village_a1, recorded_by=staff[Role.VILLAGE_ASSISTANT], slip_number="S5"
    )
    BankStatementLineFactory(region=tree.county, reference="S5")
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
    BankStatementLineFactory(
        region=tree.county, reference="NOBODY", amount="80.00", booked_on=datetime.date(YEAR, 3, 5)
    )
    BankStatementLineFactory(
        region=tree.county, reference="APRIL", amount="80.00", booked_on=datetime.date(YEAR, 4, 5)
    )
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
    person = EnrolmentFactory(village=tree.village_a1).person
    due = PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID)
    receipt = ReceiptFactory(
        book=ReceiptBookFactory(
            holder=staff[Role.VILLAGE_ASSISTANT], holder_region=tree.village_a1
        ),
        due=due,
        on=datetime.date(YEAR, 3, 28),
    )
    deposit = DepositFactory(
        village=tree.village_a1,
        recorded_by=staff[Role.VILLAGE_ASSISTANT],
        deposited_on=datetime.date(YEAR, 4, 3),
        receipts=[receipt],
    )
    BankStatementLineFactory(region=tree.county, deposit=deposit)
    assert compute(staff, tree.village_a1).differences == []


def test_payer_not_on_roster_name_differs_informs(tree, staff, plan):
    month = clean_month(tree, staff, plan)
    type(month["receipt"]).objects.filter(pk=month["receipt"].pk).update(payer_name="张三丰")
    row = compute(staff, tree.village_a1)
    assert kinds(row) == ["payer_not_on_roster"]
    assert "张三丰" in row.differences[0]["text"] and not row.differences[0]["blocking"]


def test_payer_not_on_roster_without_paying_enrolment_blocks(tree, staff, plan):
    person = EnrolmentFactory(village=tree.village_a1, status=EnrolmentStatus.PAUSED).person
    due = PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID)
    receipt = ReceiptFactory(
        book=ReceiptBookFactory(
            holder=staff[Role.VILLAGE_ASSISTANT], holder_region=tree.village_a1
        ),
        due=due,
    )
    deposit = DepositFactory(
        village=tree.village_a1, recorded_by=staff[Role.VILLAGE_ASSISTANT], receipts=[receipt]
    )
    BankStatementLineFactory(region=tree.county, deposit=deposit)
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
    person = EnrolmentFactory(village=tree.village_a1).person
    due = PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID)
    ReceiptFactory(
        book=ReceiptBookFactory(
            holder=staff[Role.VILLAGE_ASSISTANT], holder_region=tree.village_a1
        ),
        due=due,
    )
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
    person = EnrolmentFactory(village=tree.village_a2).person
    ReceiptFactory(
        book=ReceiptBookFactory(
            holder=staff[Role.VILLAGE_ASSISTANT], holder_region=tree.village_a2
        ),
        due=PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID),
    )
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
    person = EnrolmentFactory(village=tree.village_a1).person
    ReceiptFactory(
        book=ReceiptBookFactory(
            holder=staff[Role.VILLAGE_ASSISTANT], holder_region=tree.village_a1
        ),
        due=PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID),
    )
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
    with pytest.raises(Http404):  # township B is not the clerk's
        reconciliation_confirm(acting_user=staff[Role.TOWNSHIP_CLERK], reconciliation=row)
    with pytest.raises(Http404):
        reconciliation_compute(staff[Role.TOWNSHIP_CLERK], tree.county, MARCH)
    county = reconciliation_compute(staff[Role.FINANCE], tree.county, MARCH)
    confirmed = reconciliation_confirm(acting_user=staff[Role.FINANCE], reconciliation=county)
    assert confirmed.status == ReconciliationStatus.CONFIRMED
    assert Due.objects.get().status == DueStatus.CONFIRMED


# --------------------------------------------------------------------------- government funds


def _government_due(plan, tree, staff, amount, status=DueStatus.OPEN, village=None):
    person = EnrolmentFactory(village=village or tree.village_a1).person
    return PensionDueFactory(
        plan=plan,
        person=person,
        amount=amount,
        kind=DueKind.GOVERNMENT_PAID,
        channel=Channel.GOVERNMENT,
        status=status,
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


# --------------------------------------------------------------------------- grouped pass


def several_village_month(tree, staff, plan):
    """Every kind of difference, spread over the four villages of the tree and the county."""
    assistant = staff[Role.VILLAGE_ASSISTANT]
    # A1: a clean slip, and a second receipt no slip carries yet
    clean_month(tree, staff, plan, slip="A1")
    stray = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        amount="100.00",
        status=DueStatus.PAID,
    )
    ReceiptFactory(
        book=ReceiptBookFactory(holder=assistant, holder_region=tree.village_a1), due=stray
    )
    # A2: the bank line says 190 for a 200 slip; an empty slip the bank saw
    a2 = clean_month(tree, staff, plan, slip="A2", village=tree.village_a2)
    type(a2["line"]).objects.filter(pk=a2["line"].pk).update(amount=Decimal("190.00"))
    empty = DepositFactory(
        village=tree.village_a2, recorded_by=assistant, slip_number="E2", amount="50.00"
    )
    BankStatementLineFactory(region=tree.county, reference="E2", amount="50.00", deposit=empty)
    # B1: a slip made after the deposit day, not yet checked by county finance, whose amount
    # is not its receipts'
    b1 = clean_month(tree, staff, plan, slip="B1", village=tree.village_b1)
    type(b1["deposit"]).objects.filter(pk=b1["deposit"].pk).update(
        deposited_on=datetime.date(YEAR, 3, 28),
        status=DepositStatus.TOWNSHIP_CHECKED,
        amount=Decimal("210.00"),
    )
    type(b1["line"]).objects.filter(pk=b1["line"].pk).update(amount=Decimal("210.00"))
    # B2: a payer without a paying enrolment, a payer of another name, a slip the bank has not
    # shown
    stopped = EnrolmentFactory(village=tree.village_b2, status=EnrolmentStatus.PAUSED).person
    other = EnrolmentFactory(village=tree.village_b2).person
    book = ReceiptBookFactory(holder=assistant, holder_region=tree.village_b2)
    receipts = [
        ReceiptFactory(
            book=book, due=PensionDueFactory(plan=plan, person=stopped, status=DueStatus.PAID)
        ),
        ReceiptFactory(
            book=book,
            due=PensionDueFactory(plan=plan, person=other, status=DueStatus.PAID),
            payer_name="代缴的儿子",
        ),
    ]
    DepositFactory(
        village=tree.village_b2,
        recorded_by=assistant,
        slip_number="B2",
        amount="400.00",
        status=DepositStatus.TOWNSHIP_CHECKED,
        receipts=receipts,
    )
    # the county: a bank line no slip claims
    BankStatementLineFactory(
        region=tree.county, reference="NOBODY", amount="80.00", booked_on=datetime.date(YEAR, 3, 5)
    )


EXPECTED = {
    "341125100001": (2, 2, "300.00", "200.00", "200.00", ["receipt_without_deposit"]),
    "341125100002": (
        1,
        1,
        "200.00",
        "250.00",
        "240.00",
        ["deposit_without_receipts", "statement_amount_differs"],
    ),
    "341125101001": (
        1,
        1,
        "200.00",
        "210.00",
        "210.00",
        ["deposit_amount_differs", "deposit_not_county_checked", "late_deposit"],
    ),
    "341125101002": (
        1,
        2,
        "400.00",
        "400.00",
        "0.00",
        [
            "deposit_not_county_checked",
            "deposit_not_in_statement",
            "payer_not_on_roster",
            "payer_not_on_roster",
        ],
    ),
}


def figures_of(row):
    return (
        row.roster_count,
        row.receipt_count,
        str(row.receipt_sum),
        str(row.deposit_sum),
        str(row.statement_sum),
        kinds(row),
    )


def test_grouped_pass_gives_each_village_its_own_figures(tree, staff, plan):
    several_village_month(tree, staff, plan)
    county = reconciliation_compute(staff[Role.FINANCE], tree.county, MARCH)
    rows = {row.region_id: row for row in Reconciliation.objects.filter(month=MARCH)}
    assert {code: figures_of(rows[code]) for code in EXPECTED} == {
        code: (*figures[:5], figures[5]) for code, figures in EXPECTED.items()
    }
    b2 = {item["text"] for item in rows["341125101002"].differences}
    assert any("不是本村正常缴费的参保人" in text for text in b2)
    assert any("代缴的儿子" in text for text in b2)
    late = next(item for item in rows["341125101001"].differences if item["kind"] == "late_deposit")
    assert late["days"] == 3 and not late["blocking"]
    township_a = rows[tree.township_a.code]
    assert (township_a.roster_count, township_a.receipt_count) == (3, 3)
    assert township_a.statement_sum == Decimal("440.00")
    assert kinds(township_a) == sorted(EXPECTED["341125100001"][5] + EXPECTED["341125100002"][5])
    assert county.receipt_sum == Decimal("1100.00")
    assert county.deposit_sum == Decimal("1060.00")
    assert kinds(county) == sorted(
        [kind for figures in EXPECTED.values() for kind in figures[5]]
        + ["statement_without_deposit"]
    )


def test_grouped_pass_equals_each_village_computed_alone(tree, staff, plan):
    several_village_month(tree, staff, plan)
    villages = [tree.village_a1, tree.village_a2, tree.village_b1, tree.village_b2]
    together = month_figures(villages, MARCH)
    assert together == {village.code: village_figures(village, MARCH) for village in villages}
    assert [len(together[village.code]["differences"]) for village in villages] == [1, 2, 3, 4]


def county_of_villages(code: str, count: int, staff, plan):
    """A county of two townships sharing ``count`` villages, each with a clean slip, a receipt
    not yet deposited and an empty slip; returns the county and its finance clerk."""
    county = RegionFactory(
        code=f"{code}000000", name=f"县{code}", level=RegionLevel.COUNTY, parent_id="341100000000"
    )
    townships = [
        RegionFactory(
            code=f"{code}{t}00000", name=f"镇{t}", level=RegionLevel.TOWNSHIP, parent=county
        )
        for t in (1, 2)
    ]
    assistant = staff[Role.VILLAGE_ASSISTANT]
    for number in range(count):
        village = RegionFactory(
            code=f"{townships[number % 2].code[:9]}{number + 1:03d}",
            name=f"村{number}",
            level=RegionLevel.VILLAGE,
            parent=townships[number % 2],
        )
        person = EnrolmentFactory(village=village).person
        book = ReceiptBookFactory(holder=assistant, holder_region=village)
        receipt = ReceiptFactory(
            book=book, due=PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID)
        )
        slip = f"{code}-{number}"
        deposit = DepositFactory(
            village=village, recorded_by=assistant, slip_number=slip, receipts=[receipt]
        )
        BankStatementLineFactory(region=county, reference=slip)  # matched by the computation
        ReceiptFactory(
            book=book,
            due=PensionDueFactory(
                plan=plan,
                person=EnrolmentFactory(village=village).person,
                amount="100.00",
                status=DueStatus.PAID,
            ),
        )
        DepositFactory(
            village=village, recorded_by=assistant, slip_number=f"{slip}-E", amount="30.00"
        )
        assert deposit.pk
    return county, StaffFactory(role=Role.FINANCE, region=county)


def queries_to_compute(region, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        reconciliation_compute(user, region, MARCH)
    return len(queries)


def test_query_count_does_not_grow_with_villages(tree, staff, plan):
    small, small_user = county_of_villages("341126", 2, staff, plan)
    large, large_user = county_of_villages("341127", 12, staff, plan)
    assert queries_to_compute(small, small_user) == queries_to_compute(large, large_user)
    assert Reconciliation.objects.filter(region__pk__startswith="341127").count() == 15
    # recomputing (every row there, nothing changed) does not grow either
    assert queries_to_compute(small, small_user) == queries_to_compute(large, large_user)
    village = Reconciliation.objects.get(region_id="341127200002")
    assert village.receipt_count == 2
    assert kinds(village) == [
        "deposit_not_in_statement",
        "deposit_without_receipts",
        "receipt_without_deposit",
    ]

"""``jumin demo-year``'s collection part: the demo county's year collected through the
services up to the demo's today, with work left waiting, and nothing added by a second run."""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from jumin.collection.models import (
    BankResultFile,
    BankStatementFile,
    BankStatementLine,
    BatchStatus,
    CashCalendar,
    Channel,
    Deposit,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    LineResult,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
    Reconciliation,
    ReconciliationStatus,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.queries.deposits import overdue_list
from jumin.core.models import AuditEntry, Region, RegionLevel, User
from jumin.pension.models import AccountEntry, ContributionDue, Posting
from jumin.reports.demo import demo_today

YEAR = 2026
TODAY = datetime.date(YEAR, 11, 15)  # the demo's today, given (a Sunday in the middle of a month)
D = Decimal


@pytest.fixture
def demo(db):
    call_command(
        "demo_data",
        people=600,
        seed=5,
        on=datetime.date(YEAR, 1, 1),
        no_progress=True,
        stdout=io.StringIO(),
        county="341125",
    )
    return run()


def run() -> str:
    out = io.StringIO()
    call_command(
        "demo_year",
        county="341125",
        year=YEAR,
        seed=5,
        today=TODAY,
        no_progress=True,
        stdout=out,
    )
    return out.getvalue()


def counts() -> dict:
    models = (
        Due,
        WithholdingBatch,
        WithholdingLine,
        BankResultFile,
        ReceiptBook,
        Receipt,
        Deposit,
        BankStatementFile,
        BankStatementLine,
        CashCalendar,
        Reconciliation,
        Posting,
        AccountEntry,
        User,
        AuditEntry,
    )
    found = {model.__name__: model.objects.count() for model in models}
    found["statuses"] = sorted(Due.objects.values_list("status").annotate(n=Count("pk")))
    found["deposits"] = sorted(Deposit.objects.values_list("status").annotate(n=Count("pk")))
    return found


def test_demo_today_is_the_system_day_in_the_year_else_15_november():
    assert demo_today(2026, system_day=datetime.date(2026, 12, 2)) == datetime.date(2026, 12, 2)
    assert demo_today(2026, system_day=datetime.date(2028, 2, 29)) == datetime.date(2026, 11, 15)
    assert demo_today(2027, system_day=datetime.date(2026, 12, 2)) == datetime.date(2027, 11, 15)


def test_the_collection_year_is_done_through_the_services(demo):
    assert "银行代扣批次" in demo and "记账：" in demo
    county = Region.objects.get(code="341125000000")

    calendar = CashCalendar.objects.get(county=county, year=YEAR)
    assert (calendar.deposit_day, calendar.township_check_day, calendar.county_check_day) == (
        25,
        28,
        30,
    )
    assert calendar.set_by.username == "county_admin"

    # the bank round: every first round confirmed, a few lines failed with the bank's reason
    first = WithholdingBatch.objects.filter(year=YEAR, round=1)
    assert first.count() >= 2
    assert set(first.values_list("status", flat=True)) == {BatchStatus.CONFIRMED}
    failed = WithholdingLine.objects.filter(batch__in=first, result=LineResult.FAILED)
    paid = WithholdingLine.objects.filter(batch__in=first, result=LineResult.PAID)
    assert 0 < failed.count() < paid.count() * 0.1
    assert not failed.filter(bank_reason="").exists()
    assert BankResultFile.objects.filter(batch__in=first).count() == first.count()
    assert {due.channel for due in Due.objects.filter(withholding_lines__in=paid)} == {Channel.BANK}
    # the late village's round waits for the bank's result
    waiting = WithholdingBatch.objects.get(year=YEAR, round=2)
    assert waiting.status == BatchStatus.EXPORTED and waiting.line_count > 0
    assert Due.objects.filter(status=DueStatus.IN_BATCH).count() == waiting.line_count

    # cash: receipts by the assistant holding the village's book, dated on or before today
    receipts = Receipt.objects.filter(status=ReceiptStatus.ISSUED).select_related(
        "book__holder", "issued_by"
    )
    assert receipts.count() > 20
    for receipt in receipts:
        assert receipt.issued_by == receipt.book.holder
        assert receipt.issued_by.region_id == receipt.region_id
        assert receipt.issued_at.date() <= TODAY
    # deposits by the 25th, except the one explained late deposit, checked twice
    deposits = Deposit.objects.all()
    checked = deposits.filter(status=DepositStatus.COUNTY_CHECKED)
    assert checked.count() > 10
    late = [d for d in checked if d.deposited_on.day > 25]
    assert len(late) == 1
    assert all(d.township_checked_by.region_id[:9] == d.village_id[:9] for d in checked)
    # on the calendar's days: the township by the 28th, county finance by the 30th
    for deposit in checked:
        township = timezone.localtime(deposit.township_checked_at).date()
        county_day = timezone.localtime(deposit.county_checked_at).date()
        assert deposit.deposited_on <= township <= county_day, deposit.slip_number
        assert (township.month, county_day.month) == (deposit.deposited_on.month,) * 2
        assert township.day <= 28 and county_day.day <= 30
    # the overdue list shows the one late slip and the one village's receipts not deposited
    finance = User.objects.get(username="county_finance")
    kinds = Counter(row.kind for row in overdue_list(finance, on=TODAY).rows)
    assert kinds["deposit_late"] == 1
    assert kinds["receipt_not_deposited"] >= 1
    assert not kinds["township_check_late"] and not kinds["county_check_late"]
    # left waiting: this month's deposits not checked, receipts not deposited
    assert deposits.exclude(status=DepositStatus.COUNTY_CHECKED).exists()
    assert all(
        d.deposited_on.month == TODAY.month for d in deposits.exclude(status="county_checked")
    )
    undeposited = receipts.filter(deposit__isnull=True)
    assert undeposited.exists()
    assert undeposited.filter(issued_at__month__lt=TODAY.month).values("region").count() >= 1

    # the statement of each month carries the county-checked slips
    assert BankStatementLine.objects.filter(deposit__isnull=True).count() == 0
    assert set(checked.values_list("pk", flat=True)) == set(
        BankStatementLine.objects.values_list("deposit_id", flat=True)
    )

    # reconciliation: the months before the last are confirmed for the county without a
    # blocking difference; the last one for every township but the overdue village's; this
    # month is a draft showing what is still with the assistants
    rows = {row.month.month: row for row in Reconciliation.objects.filter(region=county)}
    assert set(rows) == set(range(3, TODAY.month + 1))
    for month in range(3, TODAY.month - 1):
        row = rows[month]
        assert row.status == ReconciliationStatus.CONFIRMED, month
        assert row.receipt_sum == row.deposit_sum == row.statement_sum, month
        assert not [item for item in row.differences if item["blocking"]], month
    late_kinds = [item["kind"] for row in rows.values() for item in row.differences]
    assert "late_deposit" in late_kinds
    last = rows[TODAY.month - 1]
    assert last.status == ReconciliationStatus.DRAFT
    townships = Reconciliation.objects.filter(region__level=RegionLevel.TOWNSHIP, month=last.month)
    assert townships.filter(status=ReconciliationStatus.DRAFT).count() == 1
    assert townships.filter(status=ReconciliationStatus.CONFIRMED).count() >= 1
    assert rows[TODAY.month].status == ReconciliationStatus.DRAFT
    # the cash dues of the confirmed months are confirmed (then posted), the rest only paid
    assert Due.objects.filter(channel=Channel.CASH, status=DueStatus.PAID).exists()
    assert Due.objects.filter(channel=Channel.CASH, status=DueStatus.POSTED).exists()
    # some have not paid at all
    assert Due.objects.filter(kind=DueKind.PERSONAL, status=DueStatus.OPEN).exists()
    assert (
        not Due.objects.filter(scheme="pension", kind=DueKind.GOVERNMENT_PAID)
        .exclude(status=DueStatus.POSTED)
        .exists()
    )

    # posting: nothing confirmed is left, and the posted dues' entries are the ledger
    assert not Due.objects.filter(status=DueStatus.CONFIRMED).exists()
    # (the later parts add the history, interest and the payroll's debits: entries of no due)
    posted = Due.objects.filter(scheme="pension", status=DueStatus.POSTED)
    assert posted.count() > 0
    of_dues = AccountEntry.objects.filter(due__isnull=False)
    ledger = of_dues.aggregate(total=Sum("amount"))["total"]
    paid_sum = posted.aggregate(total=Sum("paid_amount"))["total"]
    subsidies = ContributionDue.objects.filter(due__in=posted).aggregate(
        p=Sum("subsidy_province"), c=Sum("subsidy_city"), k=Sum("subsidy_county")
    )
    assert ledger == paid_sum + subsidies["p"] + subsidies["c"] + subsidies["k"]
    assert set(of_dues.values_list("due_id", flat=True)) == set(posted.values_list("pk", flat=True))
    entry = AuditEntry.objects.get(action="reports.demo.year")
    assert entry.after["entries"] == of_dues.count()
    assert entry.after["today"] == TODAY.isoformat()


def test_a_second_run_adds_nothing(demo):
    first = counts()
    second = run()
    assert counts() == first
    assert "村协理员开票 0 张" in second


def test_the_same_seed_collects_the_same_year(db):
    call_command(
        "demo_data",
        people=300,
        seed=5,
        on=datetime.date(YEAR, 1, 1),
        no_progress=True,
        stdout=io.StringIO(),
        county="341125",
    )

    def snapshot():
        return (
            sorted(
                WithholdingLine.objects.values_list(
                    "person__id_number", "batch__bank", "batch__round", "result", "bank_reason"
                )
            ),
            sorted(
                (id_number, timezone.localdate(issued_at), number)
                for id_number, issued_at, number in Receipt.objects.values_list(
                    "person__id_number", "issued_at", "number"
                )
            ),
            sorted(Deposit.objects.values_list("slip_number", "deposited_on", "amount", "status")),
        )

    with transaction.atomic():
        run()
        first = snapshot()
        transaction.set_rollback(True)
    assert not Receipt.objects.exists()
    run()
    assert snapshot() == first
    assert first[1] and first[2]

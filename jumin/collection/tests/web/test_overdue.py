import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jumin.collection.models import Deposit
from jumin.collection.queries.deposits import overdue_list
from jumin.collection.rules import (
    CalendarDays,
    cycle_of,
    deposit_deadlines,
    receipt_deadlines,
)
from jumin.collection.services import deposits
from jumin.collection.services import receipts as services
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.factories import CashCalendarFactory
from jumin.collection.tests.receipt_testing import hand_down, issue, record, register
from jumin.core.models import Role
from jumin.pension.tests.factories import PensionDueFactory, PlanFactory
from jumin.testing.factories import StaffFactory

D = datetime.date
DAYS = CalendarDays(deposit=25, township_check=28, county_check=30)

chain = receipt_testing.chain  # fixtures
plan = receipt_testing.plan


def test_deadlines_of_a_receipt_month():
    deadlines = receipt_deadlines(D(2026, 3, 10), DAYS)
    assert (deadlines.deposit, deadlines.township_check, deadlines.county_check) == (
        D(2026, 3, 25),
        D(2026, 3, 28),
        D(2026, 3, 30),
    )


def test_february_is_clamped_to_its_last_day():
    deadlines = receipt_deadlines(D(2026, 2, 3), DAYS)
    assert (deadlines.township_check, deadlines.county_check) == (D(2026, 2, 28), D(2026, 2, 28))
    assert receipt_deadlines(D(2028, 2, 3), DAYS).county_check == D(2028, 2, 29)


def test_receipt_after_the_deposit_day_belongs_to_next_month():
    assert cycle_of(D(2026, 3, 25), DAYS) == D(2026, 3, 1)
    assert cycle_of(D(2026, 3, 26), DAYS) == D(2026, 4, 1)
    assert cycle_of(D(2026, 12, 28), DAYS) == D(2027, 1, 1)
    assert receipt_deadlines(D(2026, 3, 28), DAYS).deposit == D(2026, 4, 25)


def test_late_deposit_moves_its_checks_to_its_own_cycle():
    deadlines, late = deposit_deadlines(D(2026, 3, 10), D(2026, 4, 2), DAYS)
    assert late
    assert deadlines.deposit == D(2026, 3, 25)
    assert deadlines.township_check == D(2026, 4, 28)
    deadlines, late = deposit_deadlines(D(2026, 3, 10), D(2026, 3, 20), DAYS)
    assert not late and deadlines.township_check == D(2026, 3, 28)


@pytest.fixture
def march(tree, chain, plan):
    """Receipts of 10 March in village A1: 200 + 300 yuan."""
    book = hand_down(register(chain["finance"], 1, 10), chain)
    receipts = [
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=1,
            on=D(2026, 3, 10),
        ),
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="300"),
            number=2,
            on=D(2026, 3, 10),
        ),
    ]
    return {"book": book, "receipts": receipts}


def kinds(report):
    return [(row.kind, row.reference, row.days) for row in report.rows]


def test_not_deposited_after_the_25th_is_overdue(tree, staff, march):
    clerk = staff[Role.TOWNSHIP_CLERK]
    assert overdue_list(clerk, on=D(2026, 3, 25)).rows == []
    report = overdue_list(clerk, on=D(2026, 3, 26))
    assert kinds(report) == [
        ("receipt_not_deposited", "皖A-1", 1),
        ("receipt_not_deposited", "皖A-2", 1),
    ]
    row = report.rows[0]
    assert (row.amount, row.deadline, row.village_name, row.township_name) == (
        Decimal("200.00"),
        D(2026, 3, 25),
        "东门村",
        "定城镇",
    )
    township, village = report.summary
    assert (township.name, township.counts["receipt_not_deposited"]) == ("定城镇", 2)
    assert (village.name, village.undeposited_amount) == ("东门村", Decimal("500.00"))


def test_as_of_a_day_before_the_deposit_the_receipt_was_overdue(tree, chain, staff, march):
    record(chain["assistant"], tree.village_a1, march["receipts"], on=D(2026, 3, 27))
    report = overdue_list(staff[Role.FINANCE], on=D(2026, 3, 26))
    assert [k for k, _, _ in kinds(report)] == ["receipt_not_deposited"] * 2


def test_late_deposit_flagged_and_checks_then_due_next_cycle(tree, chain, staff, march):
    record(chain["assistant"], tree.village_a1, march["receipts"], on=D(2026, 3, 27))
    report = overdue_list(staff[Role.FINANCE], on=D(2026, 3, 31))
    assert kinds(report) == [("deposit_late", "农商行 缴款单S1", 2)]
    report = overdue_list(staff[Role.FINANCE], on=D(2026, 4, 29))
    assert kinds(report) == [
        ("deposit_late", "农商行 缴款单S1", 2),
        ("township_check_overdue", "农商行 缴款单S1", 1),
    ]


def test_township_and_county_checks_overdue_and_late(tree, chain, staff, march):
    deposit = record(chain["assistant"], tree.village_a1, march["receipts"], on=D(2026, 3, 20))
    finance = staff[Role.FINANCE]
    assert overdue_list(finance, on=D(2026, 3, 28)).rows == []
    assert kinds(overdue_list(finance, on=D(2026, 3, 29))) == [
        ("township_check_overdue", "农商行 缴款单S1", 1)
    ]
    assert kinds(overdue_list(finance, on=D(2026, 3, 31))) == [
        ("township_check_overdue", "农商行 缴款单S1", 3),
        ("county_check_overdue", "农商行 缴款单S1", 1),
    ]
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    deposits.deposit_check(acting_user=finance, deposit=deposit)
    # checked late: the township on 30 March, the county on 2 April
    Deposit.objects.filter(pk=deposit.pk).update(
        township_checked_at=timezone.make_aware(datetime.datetime(2026, 3, 30, 10)),
        county_checked_at=timezone.make_aware(datetime.datetime(2026, 4, 2, 10)),
    )
    assert kinds(overdue_list(finance, on=D(2026, 4, 10))) == [
        ("township_check_late", "农商行 缴款单S1", 2),
        ("county_check_late", "农商行 缴款单S1", 3),
    ]
    # as of 31 March the county had not checked yet
    assert kinds(overdue_list(finance, on=D(2026, 3, 31))) == [
        ("township_check_late", "农商行 缴款单S1", 2),
        ("county_check_overdue", "农商行 缴款单S1", 1),
    ]


def test_checked_on_time_is_not_listed(tree, chain, staff, march):
    deposit = record(chain["assistant"], tree.village_a1, march["receipts"], on=D(2026, 3, 20))
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    deposits.deposit_check(acting_user=staff[Role.FINANCE], deposit=deposit)
    Deposit.objects.filter(pk=deposit.pk).update(
        township_checked_at=timezone.make_aware(datetime.datetime(2026, 3, 27, 10)),
        county_checked_at=timezone.make_aware(datetime.datetime(2026, 3, 30, 16)),
    )
    assert overdue_list(staff[Role.FINANCE], on=D(2026, 5, 1)).rows == []


def test_returned_deposit_receipts_are_undeposited_again(tree, chain, staff, march):
    deposit = record(chain["assistant"], tree.village_a1, march["receipts"], on=D(2026, 3, 20))
    deposits.deposit_return(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit, reason="错")
    assert [k for k, _, _ in kinds(overdue_list(staff[Role.FINANCE], on=D(2026, 3, 26)))] == [
        "receipt_not_deposited"
    ] * 2


def test_deadline_days_come_from_the_county_calendar(tree, chain, staff):
    plan = PlanFactory(year=2026, region__code=tree.county.code)
    book = hand_down(register(chain["finance"], 1, 10), chain)
    issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        number=1,
        on=D(2026, 3, 10),
    )
    assert kinds(overdue_list(staff[Role.FINANCE], on=D(2026, 3, 21))) == []  # the 25th
    CashCalendarFactory(county=tree.county, year=2025, deposit_day=20)
    # a year without its own row runs on the latest earlier one
    assert kinds(overdue_list(staff[Role.FINANCE], on=D(2026, 3, 21))) == [
        ("receipt_not_deposited", "皖A-1", 1)
    ]
    CashCalendarFactory(county=tree.county, year=2026, deposit_day=22)
    assert kinds(overdue_list(staff[Role.FINANCE], on=D(2026, 3, 21))) == []


def test_filters_and_scope(tree, chain, staff, march):
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    on = D(2026, 3, 26)
    assert overdue_list(clerk_b, on=on).rows == []
    finance = staff[Role.FINANCE]
    assert overdue_list(finance, on=on, township=tree.township_b.code).rows == []
    assert len(overdue_list(finance, on=on, township=tree.township_a.code).rows) == 2
    assert len(overdue_list(finance, on=on, village=tree.village_a1.code).rows) == 2
    assert overdue_list(finance, on=on, village=tree.village_a2.code).rows == []


def test_voided_receipt_is_not_overdue(tree, chain, staff, march):
    services.receipt_void(acting_user=chain["assistant"], receipt=march["receipts"][0], reason="错")
    assert [r for _, r, _ in kinds(overdue_list(staff[Role.FINANCE], on=D(2026, 3, 26)))] == [
        "皖A-2"
    ]


def test_overdue_list_queries_do_not_grow(
    tree, chain, staff, march, plan, django_assert_max_num_queries
):
    book = march["book"]
    for number in range(3, 9):
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=number,
            on=D(2026, 3, 11),
        )
    with django_assert_max_num_queries(5):
        assert len(overdue_list(staff[Role.FINANCE], on=D(2026, 3, 26)).rows) == 8

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F

from jumin.collection.models import Due, DueStep
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import Role
from jumin.medical.models import CoverageStatus, FundEntry, FundSource, MedicalEnrolment
from jumin.medical.queries.fund import fund_balance
from jumin.medical.services.enrolment import enrolment_register
from jumin.medical.services.fund import fund_debit, fund_reverse, post_confirmed
from jumin.medical.tests.enrolment_testing import pay_cash
from jumin.testing.factories import PersonFactory

D = Decimal
DAY = datetime.date(2025, 10, 9)


@pytest.fixture
def confirmed(tree, staff, financing):
    persons = [
        PersonFactory(village=v) for v in (tree.village_a1, tree.village_a2, tree.village_b1)
    ]
    for person in persons:
        enrolment_register(
            acting_user=staff[Role.COUNTY_CLERK], person=person, coverage_year=2026, on=DAY
        )
        pay_cash(person, 2026, DAY, reference=f"R-{person.pk}")
    Due.objects.filter(scheme="medical").transition(
        DueStep.CONFIRM, at=datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC)
    )
    return persons


def test_posting_is_income_of_the_county_fund_once(tree, staff, confirmed):
    posting = post_confirmed(
        acting_user=staff[Role.FINANCE], region_code="341125", coverage_year=2026
    )
    assert (posting.due_count, posting.entry_count, posting.amount_sum) == (3, 6, D("3372.00"))
    again = post_confirmed(
        acting_user=staff[Role.FINANCE], region_code="341125", coverage_year=2026
    )
    assert (again.due_count, again.entry_count) == (0, 0)
    assert FundEntry.objects.count() == 6
    # the paid enrolments were covered on the way
    assert set(MedicalEnrolment.objects.values_list("status", flat=True)) == {
        CoverageStatus.COVERED
    }
    [year] = fund_balance(staff[Role.LEADER], coverage_year=2026)
    assert dict(year["sources"]) == {"premium": D("1200.00"), "subsidy": D("2172.00")}
    assert year["balance"] == D("3372.00")


def test_fund_debit_and_reverse(tree, staff, confirmed):
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    user = staff[Role.FINANCE]
    entry = fund_debit(
        acting_user=user,
        region_code="341125",
        coverage_year=2026,
        amount="1280.50",
        reference="CLM-1",
        booked_on=datetime.date(2026, 3, 1),
    )
    same = fund_debit(
        acting_user=user,
        region_code="341125",
        coverage_year=2026,
        amount="1280.50",
        reference="CLM-1",
        booked_on=datetime.date(2026, 3, 1),
    )
    assert same.pk == entry.pk and entry.amount == D("-1280.50")
    with pytest.raises(ValidationError, match="大于0"):
        fund_debit(
            acting_user=user,
            region_code="341125",
            coverage_year=2026,
            amount="0",
            reference="CLM-2",
            booked_on=datetime.date(2026, 3, 1),
        )
    [year] = fund_balance(staff[Role.AUDITOR], coverage_year=2026)
    assert year["balance"] == D("3372.00") - D("1280.50")
    reversal = fund_reverse(
        acting_user=user, entry=entry, reason="重复结算", booked_on=datetime.date(2026, 3, 2)
    )
    assert reversal.amount == D("1280.50") and reversal.source == FundSource.REVERSAL
    with pytest.raises(ValidationError, match="已经冲正"):
        fund_reverse(
            acting_user=user, entry=entry, reason="再冲", booked_on=datetime.date(2026, 3, 2)
        )
    [year] = fund_balance(staff[Role.AUDITOR], coverage_year=2026)
    assert year["balance"] == D("3372.00")


def test_the_fund_ledger_refuses_updates(tree, staff, confirmed):
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    with pytest.raises(DatabaseError), transaction.atomic():
        FundEntry.objects.update(amount=F("amount") + 1)


@pytest.mark.parametrize(
    "role",
    [Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT, Role.AUDITOR, Role.LEADER],
)
def test_only_finance_and_the_county_admin_post(tree, staff, confirmed, role):
    with pytest.raises(PermissionDeniedForRole):
        post_confirmed(acting_user=staff[role], region_code="341125", coverage_year=2026)
    assert not FundEntry.objects.exists()


def test_township_staff_do_not_see_the_fund(tree, staff, confirmed):
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    with pytest.raises(PermissionDeniedForRole):
        fund_balance(staff[Role.TOWNSHIP_CLERK])

"""Awards: a late application starts the month after the 60th birthday (within the local
limit) and the payroll pays the months before the application once, as arrears; the award
decision carries the enrolment's move to receiving without ``enrolment.change``."""

import datetime
from decimal import Decimal

import pytest

from jumin.core.models import AuditEntry, Role
from jumin.pension import rules
from jumin.pension.models import (
    AccountEntry,
    AwardStatus,
    EnrolmentStatus,
    EntrySource,
    LineKind,
    PayrollLine,
)
from jumin.pension.services import awards as services
from jumin.pension.tests.factories import BenefitStandardFactory, EnrolmentFactory
from jumin.pension.tests.paying import pay_month

pytestmark = pytest.mark.django_db


def month(n: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, n, 1)


def sixty_in_january(tree):
    """Born 15 January 1966: 60 on 15 January 2026, the pension due from February 2026;
    15 years of 200 in the ledger (an account pension of 3000 / 139 = 21.58)."""
    enrolment = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1966, 1, 15)
    )
    person = enrolment.person
    AccountEntry.objects.bulk_create(
        AccountEntry(
            person=person,
            village=person.village,
            year=year,
            source=EntrySource.PERSONAL,
            amount=Decimal("200.00"),
            booked_on=datetime.date(year, 3, 31),
        )
        for year in range(2010, 2025)
    )
    return person


def test_start_month_rule_limits_the_arrears():
    born = datetime.date(1966, 1, 15)
    applied = datetime.date(2026, 6, 10)
    assert rules.start_month_for(born, applied_on=applied, late_arrears_months=12) == month(2)
    assert rules.start_month_for(born, applied_on=applied, late_arrears_months=3) == month(3)
    assert rules.start_month_for(born, applied_on=applied, late_arrears_months=0) == month(6)
    assert rules.start_month_for(born, applied_on=applied) == month(6)  # no limit given
    # on time: the month after the birthday, whatever the limit
    assert rules.start_month_for(
        born, applied_on=datetime.date(2025, 12, 20), late_arrears_months=12
    ) == month(2)


@pytest.mark.parametrize(("limit", "first"), [(12, 2), (3, 3)])
def test_late_applicant_gets_the_arrears_once_through_the_payroll(tree, staff, limit, first):
    BenefitStandardFactory(region=tree.county.parent.parent, late_arrears_months=limit)
    person = sixty_in_january(tree)
    for n in range(1, 7):  # the county paid January to June without this person
        pay_month(tree.county, month(n))
    award, _ = services.award_apply(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        person=person,
        applied_on=datetime.date(2026, 6, 10),
    )
    assert award.start_month == month(first)
    award = services.award_decide(
        acting_user=staff[Role.COUNTY_CLERK],
        award=award,
        approve=True,
        on=datetime.date(2026, 6, 20),
    )
    assert award.status == AwardStatus.ACTIVE
    monthly = award.basic_pension + award.account_pension
    assert monthly == Decimal("184.58")
    july = pay_month(tree.county, month(7))
    lines = PayrollLine.objects.filter(payroll=july, award=award)
    assert lines.get(kind=LineKind.REGULAR).total == monthly
    arrears = lines.filter(kind=LineKind.ARREARS).order_by("month_for")
    assert [line.month_for for line in arrears] == [month(n) for n in range(first, 7)]
    assert {line.total for line in arrears} == {monthly}
    august = pay_month(tree.county, month(8))
    assert list(
        PayrollLine.objects.filter(payroll=august, award=award).values_list("kind", "month_for")
    ) == [(LineKind.REGULAR.value, month(8))]
    paid = PayrollLine.objects.filter(award=award).values_list("month_for", flat=True)
    assert sorted(paid) == [month(n) for n in range(first, 9)]  # each month once


def test_award_decide_needs_no_enrolment_change(tree, staff, monkeypatch):
    """A role holding ``award.decide`` but not ``enrolment.change`` (none exists today: the
    permission table is narrowed here) approves, and the enrolment moves to receiving."""
    from jumin.core import access

    BenefitStandardFactory(region=tree.county.parent.parent)
    person = sixty_in_january(tree)
    award, _ = services.award_apply(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        person=person,
        applied_on=datetime.date(2026, 1, 5),
    )
    decider = staff[Role.COUNTY_CLERK]
    real_can = access.can

    def narrowed(user, permission):
        if user.pk == decider.pk and permission == "enrolment.change":
            return False
        return real_can(user, permission)

    monkeypatch.setattr(access, "can", narrowed)
    assert not access.can(decider, "enrolment.change")
    award = services.award_decide(
        acting_user=decider, award=award, approve=True, on=datetime.date(2026, 1, 20)
    )
    assert award.status == AwardStatus.ACTIVE
    assert award.enrolment.status == EnrolmentStatus.RECEIVING


def test_a_late_start_in_a_year_already_credited_earns_only_to_the_start(tree, staff):
    """60 in November 2025, applied in February 2026: the pension starts in December 2025;
    2025's year-end interest (credited on 31 December) is reversed and the interest of
    January to November credited instead, the figure the calculation sheet shows."""
    from jumin.pension.services.interest import interest_credit
    from jumin.pension.tests.factories import InterestRateFactory

    BenefitStandardFactory(
        region=tree.county.parent.parent, effective_from=datetime.date(2025, 1, 1)
    )
    InterestRateFactory(year=2025)
    enrolment = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1965, 11, 15)
    )
    person = enrolment.person
    AccountEntry.objects.bulk_create(
        AccountEntry(
            person=person,
            village=person.village,
            year=year,
            source=EntrySource.PERSONAL,
            amount=Decimal("200.00"),
            booked_on=datetime.date(year, 3, 31),
        )
        for year in range(2009, 2024)
    )
    interest_credit(acting_user=None, region_code="341125", year=2025)
    year_end = AccountEntry.objects.get(person=person, source=EntrySource.INTEREST)
    assert year_end.amount == Decimal("45.00")  # 1.5 % of 3 000
    award, _ = services.award_apply(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        person=person,
        applied_on=datetime.date(2026, 2, 10),
    )
    assert award.start_month == datetime.date(2025, 12, 1)
    award = services.award_decide(
        acting_user=staff[Role.COUNTY_CLERK],
        award=award,
        approve=True,
        on=datetime.date(2026, 2, 20),
    )
    interest = AccountEntry.objects.filter(person=person, source=EntrySource.INTEREST)
    assert sorted(e.amount for e in interest) == [
        Decimal("-45.00"),
        Decimal("41.25"),  # eleven months
        Decimal("45.00"),
    ]
    assert interest.get(amount=Decimal("-45.00")).reverses == year_end
    assert award.account_balance == Decimal("3041.25")
    assert AuditEntry.objects.filter(action="pension.account_entry.reverse").count() == 1

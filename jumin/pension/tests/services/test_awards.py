"""Awards through the services: E7 from the ledger, apply/decide, refusals, the enrolment moving
to receiving, idempotent application, estimate == award (hypothesis)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jumin.core.models import AuditEntry, Role
from jumin.pension import rules
from jumin.pension.models import (
    AccountEntry,
    Award,
    AwardStatus,
    EmployeeSchemeMember,
    EnrolmentStatus,
    EntrySource,
)
from jumin.pension.services import awards as services
from jumin.pension.services import estimator
from jumin.pension.tests.factories import (
    AwardFactory,
    BenefitStandardFactory,
    EnrolmentFactory,
    InterestRateFactory,
)
from jumin.testing.factories import RegionTreeFactory, StaffFactory

pytestmark = pytest.mark.django_db
RATE = Decimal("0.015")


def book(person, year, source, amount, month=3, day=31):
    return AccountEntry.objects.create(
        person=person,
        village=person.village,
        year=year,
        source=source,
        amount=Decimal(amount),
        booked_on=datetime.date(year, month, min(day, 28 if month == 2 else day)),
    )


def grow(person, history: dict[int, list[tuple[str, Decimal, int]]], rate=RATE):
    """Book a history (year → [(source, amount, month)]) with the year-end interest of each
    year in mode A, as the interest job would (31 December)."""
    balance = Decimal("0.00")
    for year in sorted(history):
        interest = rules.year_interest(opening=balance, credits=[], rate=rate, mode="A")
        for source, amount, month in history[year]:
            book(person, year, source, amount, month=month)
            balance += amount
        if interest:
            AccountEntry.objects.create(
                person=person,
                village=person.village,
                year=year,
                source=EntrySource.INTEREST,
                amount=interest,
                booked_on=datetime.date(year, 12, 31),
            )
        balance += interest
    return balance


@pytest.fixture
def e7(tree, staff):
    """EXAMPLES E7: born December 1965, 50 at the local start (2016), 10 years and 5 back-paid."""
    for year in range(2016, 2027):
        InterestRateFactory(year=year)
    BenefitStandardFactory(
        effective_from=datetime.date(2026, 1, 1), local_start=datetime.date(2016, 1, 1)
    )
    enrolment = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1965, 12, 1)
    )
    person = enrolment.person
    history = {
        year: [
            (EntrySource.PERSONAL, Decimal("200"), 3),
            (EntrySource.SUBSIDY_COUNTY, Decimal("30"), 3),
        ]
        for year in range(2016, 2026)
    }
    assert grow(person, history) == Decimal("2461.62")
    for year in range(2011, 2016):  # back-paid years, credited in 2025
        AccountEntry.objects.create(
            person=person,
            village=person.village,
            year=year,
            source=EntrySource.BACK_PAYMENT,
            amount=Decimal("200"),
            booked_on=datetime.date(2025, 6, 30),
        )
    return person


def test_e7_award_from_the_ledger(e7, staff):
    award, created = services.award_apply(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=e7, applied_on=datetime.date(2025, 12, 5)
    )
    assert created and award.status == AwardStatus.APPLIED
    assert award.start_month == datetime.date(2026, 1, 1) and award.kind == "transitional"
    again, created = services.award_apply(
        acting_user=staff[Role.TOWNSHIP_CLERK], person=e7, applied_on=datetime.date(2025, 12, 6)
    )
    assert again == award and not created
    award = services.award_decide(
        acting_user=staff[Role.COUNTY_CLERK],
        award=award,
        approve=True,
        on=datetime.date(2025, 12, 20),
    )
    assert award.status == AwardStatus.ACTIVE
    assert award.account_balance == Decimal("3461.62")
    assert award.account_pension == Decimal("24.90")
    assert award.basic_pension == Decimal("163.00")
    assert award.contribution_years == 15
    assert award.explanation[-1]["amount"] == "187.90"
    assert award.enrolment.status == EnrolmentStatus.RECEIVING
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "pension.award.apply",
        "pension.award.approve",
        "pension.enrolment.start_receiving",
    } <= actions


def test_the_applicant_may_not_decide_and_a_rejection_needs_a_reason(e7, staff):
    clerk = staff[Role.COUNTY_CLERK]
    award, _ = services.award_apply(
        acting_user=clerk, person=e7, applied_on=datetime.date(2025, 12, 5)
    )
    with pytest.raises(ValidationError, match="受理人不能审核"):
        services.award_decide(acting_user=clerk, award=award, approve=True)
    admin = staff[Role.COUNTY_ADMIN]
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.award_decide(acting_user=admin, award=award, approve=False)
    award = services.award_decide(acting_user=admin, award=award, approve=False, reason="材料不全")
    assert award.status == AwardStatus.REJECTED
    assert award.person.pension_enrolments.get().status == EnrolmentStatus.PAYING


def test_refusals_under_60_other_pension_holding_and_short(tree, staff):
    BenefitStandardFactory(
        effective_from=datetime.date(2020, 1, 1), local_start=datetime.date(2011, 7, 1)
    )
    assistant = staff[Role.VILLAGE_ASSISTANT]
    young = EnrolmentFactory(village=tree.village_a1, person__birth_date=datetime.date(1970, 1, 1))
    with pytest.raises(ValidationError, match="未满60周岁"):
        services.award_apply(
            acting_user=assistant, person=young.person, applied_on=datetime.date(2026, 12, 2)
        )
    other = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1966, 12, 10)
    )
    EmployeeSchemeMember.objects.create(id_number=other.person.id_number, region=tree.county)
    with pytest.raises(ValidationError, match="职工基本养老保险"):
        services.award_apply(
            acting_user=assistant, person=other.person, applied_on=datetime.date(2026, 12, 2)
        )
    holder = AwardFactory(village=tree.village_a1)
    EnrolmentFactory(person=holder.person, status=EnrolmentStatus.RECEIVING)
    with pytest.raises(ValidationError, match="已有养老金待遇"):
        services.award_apply(
            acting_user=assistant, person=holder.person, applied_on=datetime.date(2026, 12, 2)
        )
    short = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1966, 12, 20)
    )
    for year in range(2014, 2026):
        book(short.person, year, EntrySource.PERSONAL, "200")
    with pytest.raises(ValidationError, match="还差3年"):
        services.award_apply(
            acting_user=assistant, person=short.person, applied_on=datetime.date(2026, 12, 2)
        )
    assert Award.objects.count() == 1


def test_out_of_scope_is_404(tree, staff, e7):
    from django.http import Http404

    from jumin.testing.factories import PersonFactory

    other = PersonFactory(village=tree.village_b1, birth_date=datetime.date(1965, 12, 1))
    with pytest.raises(Http404):
        services.award_apply(acting_user=staff[Role.TOWNSHIP_CLERK], person=other)


class TestEstimateEqualsAward(TestCase):
    """For any history booked in the ledger, the award equals the estimate of that history."""

    @settings(max_examples=15)
    @given(
        amounts=st.lists(st.integers(min_value=100, max_value=3000), min_size=15, max_size=25),
        rate=st.sampled_from([Decimal("0.015"), Decimal("0.0262"), Decimal("0.0397")]),
        birth_month=st.integers(min_value=1, max_value=12),
    )
    def test_estimate_equals_award(self, amounts, rate, birth_month):
        tree = RegionTreeFactory.build_tree()
        assistant = StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_a1)
        clerk = StaffFactory(role=Role.COUNTY_CLERK, region=tree.county)
        birth = datetime.date(1966, birth_month, 15)
        start = rules.start_month_for(birth)
        first = start.year - len(amounts)
        for year in range(first, start.year + 1):
            InterestRateFactory(year=year, rate=rate, region=tree.county)
        BenefitStandardFactory(
            region=tree.county,
            effective_from=datetime.date(2000, 1, 1),
            local_start=datetime.date(1990, 1, 1),
            extra_per_year=Decimal("2"),
        )
        person = EnrolmentFactory(village=tree.village_a1, person__birth_date=birth).person
        history = {
            first + i: [(EntrySource.PERSONAL, Decimal(a), 3)] for i, a in enumerate(amounts)
        }
        grow(person, history, rate=rate)
        award, _ = services.award_apply(acting_user=assistant, person=person, applied_on=start)
        award = services.award_decide(acting_user=clerk, award=award, approve=True, on=start)
        estimate = estimator.pension_estimate(
            estimator.EstimateInput(
                birth_date=birth,
                region_code=tree.village_a1.code,
                on=start,
                years=[
                    rules.YearCredits(year=y, credits=((3, Decimal(a)),))
                    for y, a in zip(range(first, start.year), amounts, strict=False)
                ],
            )
        )
        assert estimate["balance_at_start"] == award.account_balance
        assert estimate["account_pension"] == award.account_pension
        assert estimate["basic_pension"] == award.basic_pension
        assert estimate["contribution_years"] == award.contribution_years

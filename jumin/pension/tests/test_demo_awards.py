"""``demo_awards`` on a small tree: standards, active awards for the receiving, applications
for this month's 60-year-olds; a second run adds nothing."""

import datetime

import pytest

from jumin.core.models import Role
from jumin.pension.demo_awards import demo_awards
from jumin.pension.models import Award, AwardKind, AwardStatus, BenefitStandard, EnrolmentStatus
from jumin.pension.services import awards as services
from jumin.pension.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_demo_awards_twice_adds_nothing(tree, staff):
    old = EnrolmentFactory(
        village=tree.village_a1,
        status=EnrolmentStatus.RECEIVING,
        person__birth_date=datetime.date(1945, 3, 1),
    )
    EnrolmentFactory(
        village=tree.village_b1,
        status=EnrolmentStatus.RECEIVING,
        person__birth_date=datetime.date(1960, 3, 1),
    )
    turning = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1966, 12, 9)
    )
    EnrolmentFactory(village=tree.village_a2, person__birth_date=datetime.date(1967, 1, 20))
    notes = []
    today = datetime.date(2026, 12, 2)
    added = demo_awards(
        county=tree.county, year=2026, seed=1, staff=staff, notes=notes, today=today
    )
    assert added > 0 and notes
    assert (
        BenefitStandard.objects.in_force(
            region_code=tree.village_a1.code, on=datetime.date(2026, 12, 1)
        ).local_top_up
        == 10
    )
    basic = Award.objects.get(person=old.person)
    assert basic.kind == AwardKind.BASIC_ONLY and basic.status == AwardStatus.ACTIVE
    assert basic.account_pension == 0 and basic.basic_pension == 55  # 2011-07: 55, no top-up
    assert Award.objects.filter(status=AwardStatus.APPLIED).count() == 2
    assert Award.objects.filter(status=AwardStatus.ACTIVE).count() == 2
    count = Award.objects.count()
    assert (
        demo_awards(county=tree.county, year=2026, seed=1, staff=staff, notes=notes, today=today)
        == 0
    )
    assert Award.objects.count() == count
    application = Award.objects.get(person=turning.person)
    award = services.award_decide(
        acting_user=staff[Role.COUNTY_CLERK], award=application, approve=True, on=today
    )
    assert award.status == AwardStatus.ACTIVE and award.contribution_years == 15
    assert award.basic_pension == 163 + 10

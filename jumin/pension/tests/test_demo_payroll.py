"""The demo payroll year on a small tree: what it shows, and a second run adds nothing."""

import datetime

import pytest

from jumin.core.models import Role
from jumin.pension.demo_payroll import demo_payroll, payroll_counts
from jumin.pension.models import (
    AwardStatus,
    LineKind,
    PayrollLine,
    PayrollStatus,
    Recovery,
    RecoveryStatus,
)
from jumin.pension.tests.factories import AwardFactory

pytestmark = pytest.mark.django_db


def test_demo_payroll_shows_a_year_and_a_second_run_adds_nothing(tree, staff):
    villages = (tree.village_a1, tree.village_a2, tree.village_b1, tree.village_b2)
    awards = [
        AwardFactory(village=villages[n % 4], start_month=datetime.date(2025, 1, 1))
        for n in range(40)
    ]
    notes = []
    added = demo_payroll(county=tree.county, year=2026, seed=1, staff=staff, notes=notes)
    assert added > 0
    counts = payroll_counts(tree.county)
    assert counts["payrolls"] == 12 and counts["waiting"] == 1
    december = tree.county.__class__.objects.get(pk=tree.county.pk)
    assert december
    from jumin.pension.models import Payroll

    december = Payroll.objects.get(month=datetime.date(2026, 12, 1))
    assert december.status == PayrollStatus.BUILT
    assert december.built_by == staff[Role.COUNTY_CLERK]
    july_arrears = PayrollLine.objects.filter(
        payroll__month=datetime.date(2026, 7, 1), kind=LineKind.ARREARS
    )
    assert july_arrears.filter(basic=20).count() >= 6
    recovery = Recovery.objects.get()
    assert recovery.status == RecoveryStatus.OPEN and recovery.months == 2
    assert any("等待" in note for note in notes)
    statuses = {a.status for a in type(awards[0]).objects.all()}
    assert AwardStatus.ENDED in statuses
    again = demo_payroll(county=tree.county, year=2026, seed=1, staff=staff, notes=[])
    assert again == 0
    assert payroll_counts(tree.county) == counts

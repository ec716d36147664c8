import datetime
from decimal import Decimal

from jumin.collection.models import Due
from jumin.medical.demo import demo_medical_enrolment
from jumin.medical.models import CoverageStatus, FundEntry, MedicalEnrolment
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import PersonFactory, SpecialStatusFactory


def test_demo_adds_a_coverage_year_and_the_open_window_and_a_second_run_adds_nothing(tree, staff):
    villages = [tree.village_a1, tree.village_a2, tree.village_b1, tree.village_b2]
    persons = [PersonFactory(village=villages[i % 4]) for i in range(120)]
    SpecialStatusFactory(person=persons[0], kind=SpecialStatusKind.EXTREME_POVERTY, detail="")
    notes = []
    added = demo_medical_enrolment(county=tree.county, year=2026, seed=7, staff=staff, notes=notes)
    assert added > 0 and notes
    enrolled = MedicalEnrolment.objects.filter(coverage_year=2026)
    assert 100 <= enrolled.count() < 120
    assert not enrolled.exclude(status=CoverageStatus.COVERED).exists()
    assert enrolled.filter(covered_from=datetime.date(2026, 1, 1)).count() > 90
    late = enrolled.exclude(covered_from=datetime.date(2026, 1, 1))
    for enrolment in late:  # outside the window: 3 months after the month of payment
        assert enrolment.covered_from.month == enrolment.paid_on.month + 3
    fund = sum(e.amount for e in FundEntry.objects.filter(coverage_year=2026))
    assert fund == enrolled.count() * Decimal("1124.00")
    upcoming = MedicalEnrolment.objects.filter(coverage_year=2027)
    assert 0 < upcoming.count() < enrolled.count()
    assert Due.objects.filter(scheme="medical", year=2027, status="paid").exists()
    assert Due.objects.filter(scheme="medical", year=2027, status="open").exists()

    counts = (MedicalEnrolment.objects.count(), Due.objects.count(), FundEntry.objects.count())
    assert demo_medical_enrolment(county=tree.county, year=2026, seed=7, staff=staff, notes=[]) == 0
    assert (
        MedicalEnrolment.objects.count(),
        Due.objects.count(),
        FundEntry.objects.count(),
    ) == counts

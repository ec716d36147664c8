import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.models import Due, DueKind
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.medical.models import CoverageStatus, MedicalEnrolment
from jumin.medical.queries.enrolment import coverage_on
from jumin.medical.services.enrolment import (
    coverage_update,
    enrolment_cancel,
    enrolment_register,
    enrolment_renew,
)
from jumin.medical.tests.enrolment_testing import medical_dues, pay_cash
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import PersonFactory, SpecialStatusFactory

D = datetime.date
IN_WINDOW = D(2025, 10, 8)


def register(user, person, year=2026, on=IN_WINDOW):
    return enrolment_register(acting_user=user, person=person, coverage_year=year, on=on)


def test_register_makes_one_personal_due_with_the_subsidy_and_a_repeat_adds_nothing(
    tree, staff, financing
):
    person = PersonFactory(village=tree.village_a1)
    first = register(staff[Role.VILLAGE_ASSISTANT], person)
    again = register(staff[Role.VILLAGE_ASSISTANT], person)
    assert again.pk == first.pk
    dues = list(medical_dues(person, 2026))
    assert [(d.kind, d.amount, d.subsidy) for d in dues] == [
        (DueKind.PERSONAL, Decimal("400.00"), Decimal("724.00"))
    ]
    assert first.premium == Decimal("400.00") and first.subsidy == Decimal("724.00")
    assert first.status == CoverageStatus.PENDING
    assert AuditEntry.objects.filter(action="medical.enrolment.register").count() == 1


def test_extreme_poverty_is_paid_in_full_by_assistance(tree, staff, financing):
    person = PersonFactory(village=tree.village_a1)
    SpecialStatusFactory(person=person, kind=SpecialStatusKind.EXTREME_POVERTY, detail="")
    enrolment = register(staff[Role.COUNTY_CLERK], person)
    dues = list(medical_dues(person, 2026))
    assert [(d.kind, d.amount, d.subsidy) for d in dues] == [
        (DueKind.GOVERNMENT_PAID, Decimal("400.00"), Decimal("724.00"))
    ]
    assert enrolment.assistance == Decimal("400.00")
    assert enrolment.assistance_kind == SpecialStatusKind.EXTREME_POVERTY


def test_subsistence_allowance_pays_its_share_and_the_person_the_rest(tree, staff, financing):
    person = PersonFactory(village=tree.village_a1)
    SpecialStatusFactory(person=person, kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE, detail="full")
    register(staff[Role.TOWNSHIP_CLERK], person)
    dues = {d.kind: d for d in medical_dues(person, 2026)}
    assert dues[DueKind.PERSONAL].amount == Decimal("160.00")
    assert dues[DueKind.PERSONAL].subsidy == Decimal("724.00")
    assert dues[DueKind.GOVERNMENT_PAID].amount == Decimal("240.00")
    assert dues[DueKind.GOVERNMENT_PAID].subsidy == Decimal("0.00")


@pytest.mark.parametrize(
    ("role", "village", "outcome"),
    [
        (Role.VILLAGE_ASSISTANT, "village_a1", "ok"),
        (Role.VILLAGE_ASSISTANT, "village_a2", "404"),
        (Role.TOWNSHIP_CLERK, "village_a2", "ok"),
        (Role.TOWNSHIP_CLERK, "village_b1", "404"),
        (Role.COUNTY_CLERK, "village_b1", "ok"),
        (Role.COUNTY_ADMIN, "village_b2", "ok"),
        (Role.FINANCE, "village_a1", "403"),
        (Role.AUDITOR, "village_a1", "403"),
        (Role.LEADER, "village_a1", "403"),
    ],
)
def test_register_by_role_and_scope(tree, staff, financing, role, village, outcome):
    person = PersonFactory(village=getattr(tree, village))
    if outcome == "ok":
        assert register(staff[role], person).person_id == person.pk
        return
    expected = Http404 if outcome == "404" else PermissionDeniedForRole
    with pytest.raises(expected):
        register(staff[role], person)
    assert not MedicalEnrolment.objects.exists()
    assert not Due.objects.exists()


def test_register_refuses_a_year_without_financing_and_a_year_too_far(tree, staff, financing):
    person = PersonFactory(village=tree.village_a1)
    with pytest.raises(ValidationError, match="没有适用的居民医保筹资标准"):
        register(staff[Role.COUNTY_CLERK], person, year=2015, on=D(2015, 3, 1))
    with pytest.raises(ValidationError, match="只能登记"):
        register(staff[Role.COUNTY_CLERK], person, year=2028, on=IN_WINDOW)
    assert not MedicalEnrolment.objects.exists()


def test_paid_in_the_window_is_covered_from_the_first_of_january(tree, staff, financing):
    person = PersonFactory(village=tree.village_a1)
    register(staff[Role.VILLAGE_ASSISTANT], person)
    assert coverage_update(acting_user=None, region_code="341125", coverage_year=2026) == 0
    pay_cash(person, 2026, D(2025, 11, 2))  # the payment covers the enrolment (on_paid)
    enrolment = MedicalEnrolment.objects.get(person=person)
    assert enrolment.status == CoverageStatus.COVERED
    assert enrolment.covered_from == D(2026, 1, 1)
    assert "集中参保期内" in enrolment.waiting_reason
    assert coverage_on(person.pk, D(2026, 1, 1)) == enrolment
    assert coverage_on(person.pk, D(2025, 12, 31)) is None
    # the county's run finds nothing left, and changes nothing
    assert (
        coverage_update(
            acting_user=staff[Role.COUNTY_CLERK], region_code="341125", coverage_year=2026
        )
        == 0
    )


def test_e9_through_the_services(tree, staff, financing):
    """No cover 2024 (covered 2023); enrols and pays in May 2025 → covered from 2025-08-01,
    and paying 2024 back does not shorten it."""
    person = PersonFactory(village=tree.village_a1)
    MedicalEnrolment.objects.create(
        person=person,
        village=tree.village_a1,
        coverage_year=2023,
        status=CoverageStatus.COVERED,
        covered_from=D(2023, 1, 1),
        created_by=staff[Role.COUNTY_CLERK],
    )
    register(staff[Role.VILLAGE_ASSISTANT], person, year=2025, on=D(2025, 5, 12))
    Due.objects.create(
        person=person,
        village=tree.village_a1,
        scheme="medical",
        year=2024,
        kind=DueKind.BACK_PAYMENT,
        amount=Decimal("400.00"),
    )
    Due.objects.filter(person=person, year=2024).transition(
        "cash_paid",
        channel="cash",
        paid_amount=Decimal("400.00"),
        paid_on=D(2025, 5, 12),
        payment_reference="B-1",
    )
    pay_cash(person, 2025, D(2025, 5, 12))
    coverage_update(acting_user=None, region_code="341125", coverage_year=2025)
    enrolment = MedicalEnrolment.objects.get(person=person, coverage_year=2025)
    assert enrolment.covered_from == D(2025, 8, 1)
    assert "断保1年" in enrolment.waiting_reason
    assert coverage_on(person.pk, D(2025, 7, 31)) is None
    assert coverage_on(person.pk, D(2025, 8, 1)) == enrolment


def test_a_newborn_enrolled_within_ninety_days_is_covered_from_birth(tree, staff, financing):
    baby = PersonFactory(village=tree.village_a1, birth_date=D(2026, 2, 10))
    register(staff[Role.VILLAGE_ASSISTANT], baby, year=2026, on=D(2026, 4, 1))
    pay_cash(baby, 2026, D(2026, 4, 1))
    coverage_update(acting_user=None, region_code="341125", coverage_year=2026)
    enrolment = MedicalEnrolment.objects.get(person=baby)
    assert enrolment.covered_from == D(2026, 2, 10)
    assert "新生儿" in enrolment.waiting_reason


def test_renew_enrols_last_years_insured_once(tree, staff, financing):
    covered = [PersonFactory(village=tree.village_a1) for _ in range(3)]
    dead = PersonFactory(village=tree.village_b1, death_date=D(2026, 3, 1))
    never = PersonFactory(village=tree.village_b1)
    for person in [*covered, dead]:
        MedicalEnrolment.objects.create(
            person=person,
            village=person.village,
            coverage_year=2026,
            status=CoverageStatus.COVERED,
            covered_from=D(2026, 1, 1),
            created_by=staff[Role.COUNTY_CLERK],
        )
    SpecialStatusFactory(person=covered[0], kind=SpecialStatusKind.EXTREME_POVERTY, detail="")
    user = staff[Role.COUNTY_CLERK]
    result = enrolment_renew(
        acting_user=user, region_code="341125", coverage_year=2027, on=D(2026, 9, 15)
    )
    assert result == {"enrolled": 3, "dues": 3}
    again = enrolment_renew(
        acting_user=user, region_code="341125", coverage_year=2027, on=D(2026, 9, 16)
    )
    assert again == {"enrolled": 0, "dues": 0}
    enrolled = set(
        MedicalEnrolment.objects.filter(coverage_year=2027).values_list("person_id", flat=True)
    )
    assert enrolled == {p.pk for p in covered}
    assert never.pk not in enrolled
    assert (
        Due.objects.filter(scheme="medical", year=2027, kind=DueKind.GOVERNMENT_PAID).count() == 1
    )


def test_renew_needs_the_county_permission(tree, staff, financing):
    with pytest.raises(PermissionDeniedForRole):
        enrolment_renew(
            acting_user=staff[Role.TOWNSHIP_CLERK],
            region_code="341125",
            coverage_year=2027,
            on=D(2026, 9, 15),
        )


def test_cancel_a_pending_enrolment_cancels_its_open_dues(tree, staff, financing):
    person = PersonFactory(village=tree.village_a1)
    enrolment = register(staff[Role.VILLAGE_ASSISTANT], person)
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        enrolment_cancel(acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=enrolment, reason="")
    enrolment_cancel(
        acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=enrolment, reason="已参加职工医保"
    )
    assert MedicalEnrolment.objects.get(pk=enrolment.pk).status == CoverageStatus.CANCELLED
    assert set(medical_dues(person, 2026).values_list("status", flat=True)) == {"cancelled"}

"""Back-payment of missed coverage years (缴费修复): a due per break year at that year's
premium; each year paid back takes a month off the variable waiting period, whatever the
order in which the dues are paid."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.models import Due, DueKind, DueStatus
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.medical.models import CoverageStatus, MedicalEnrolment
from jumin.medical.services.back_payment import back_payment_make
from jumin.medical.services.enrolment import enrolment_register
from jumin.medical.tests.enrolment_testing import pay_cash
from jumin.testing.factories import PersonFactory, StaffFactory

D = datetime.date
ON = D(2026, 5, 12)  # outside the window of 2026


@pytest.fixture
def returning(tree, staff, financing):
    """Covered 2022 and 2023, no cover 2024 and 2025, re-enrols for 2026 on 12 May 2026."""
    person = PersonFactory(village=tree.village_a1)
    for year in (2022, 2023):
        MedicalEnrolment.objects.create(
            person=person,
            village=tree.village_a1,
            coverage_year=year,
            status=CoverageStatus.COVERED,
            covered_from=D(year, 1, 1),
            created_by=staff[Role.COUNTY_CLERK],
        )
    return enrolment_register(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, coverage_year=2026, on=ON
    )


def pay_back(person, years, on=ON):
    return Due.objects.filter(
        scheme="medical", person=person, kind=DueKind.BACK_PAYMENT, year__in=years
    ).transition(
        "cash_paid",
        channel="cash",
        paid_amount=Decimal("400.00"),
        paid_on=on,
        payment_reference="B-1",
    )


def test_without_back_payment_two_break_years_wait_four_months(staff, returning):
    pay_cash(returning.person, 2026, ON)
    returning.refresh_from_db()
    assert returning.covered_from == D(2026, 9, 1)
    assert "断保2年，变动等待期1个月" in returning.waiting_reason


def test_back_paying_both_years_takes_the_variable_month_off(staff, returning):
    dues = back_payment_make(acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=returning, on=ON)
    assert [(d.year, d.kind, d.amount, d.subsidy, d.collected_in) for d in dues] == [
        (2024, DueKind.BACK_PAYMENT, Decimal("400.00"), Decimal("0.00"), 2026),
        (2025, DueKind.BACK_PAYMENT, Decimal("400.00"), Decimal("0.00"), 2026),
    ]
    assert AuditEntry.objects.filter(action="medical.back_payment.make").count() == 1
    # asked again: nothing more
    again = back_payment_make(acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=returning, on=ON)
    assert [d.pk for d in again] == [d.pk for d in dues]
    assert Due.objects.filter(kind=DueKind.BACK_PAYMENT).count() == 2

    pay_back(returning.person, [2024, 2025])
    pay_cash(returning.person, 2026, ON)
    returning.refresh_from_db()
    assert returning.status == CoverageStatus.COVERED
    assert returning.covered_from == D(2026, 8, 1)
    assert "补缴1年减1个月" in returning.waiting_reason


def test_the_enrolment_waits_for_the_back_payment_paid_last(staff, returning):
    back_payment_make(acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=returning, on=ON)
    pay_cash(returning.person, 2026, ON)
    returning.refresh_from_db()
    assert returning.status == CoverageStatus.PENDING  # a back payment still open
    pay_back(returning.person, [2024])
    returning.refresh_from_db()
    assert returning.status == CoverageStatus.PENDING
    pay_back(returning.person, [2025], on=D(2026, 5, 20))
    returning.refresh_from_db()
    assert returning.status == CoverageStatus.COVERED
    assert returning.covered_from == D(2026, 8, 1)  # from the premium's own payment day


def test_one_year_back_paid_of_two(staff, returning):
    dues = back_payment_make(
        acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=returning, years=["2025"], on=ON
    )
    assert [d.year for d in dues] == [2025]
    pay_back(returning.person, [2025])
    pay_cash(returning.person, 2026, ON)
    returning.refresh_from_db()
    assert returning.covered_from == D(2026, 8, 1)


def test_refusals_name_the_year_and_change_nothing(tree, staff, financing, returning):
    clerk = staff[Role.VILLAGE_ASSISTANT]
    with pytest.raises(ValidationError, match="2023年度不是断保年度（可补缴2024—2025年度）"):
        back_payment_make(acting_user=clerk, enrolment=returning, years=[2023, 2024], on=ON)
    with pytest.raises(ValidationError, match="补缴年度“去年”不正确"):
        back_payment_make(acting_user=clerk, enrolment=returning, years=["去年"], on=ON)
    first = enrolment_register(
        acting_user=clerk,
        person=PersonFactory(village=tree.village_a1),
        coverage_year=2026,
        on=ON,
    )
    with pytest.raises(ValidationError, match="没有断保年度"):
        back_payment_make(acting_user=clerk, enrolment=first, on=ON)
    pay_cash(first.person, 2026, ON)
    with pytest.raises(ValidationError, match="只有待缴费的参保可以补缴"):
        back_payment_make(acting_user=clerk, enrolment=first, on=ON)
    assert not Due.objects.filter(kind=DueKind.BACK_PAYMENT).exists()
    assert not AuditEntry.objects.filter(action="medical.back_payment.make").exists()
    assert Due.objects.filter(status=DueStatus.OPEN, scheme="medical").count() == 1


def test_scope_and_roles(tree, staff, returning):
    other_township = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    with pytest.raises(Http404):
        back_payment_make(acting_user=other_township, enrolment=returning, on=ON)
    with pytest.raises(PermissionDeniedForRole):
        back_payment_make(acting_user=staff[Role.FINANCE], enrolment=returning, on=ON)
    for role in (Role.VILLAGE_ASSISTANT, Role.TOWNSHIP_CLERK, Role.COUNTY_CLERK):
        assert back_payment_make(acting_user=staff[role], enrolment=returning, on=ON)
    assert Due.objects.filter(kind=DueKind.BACK_PAYMENT).count() == 2


def test_the_enrolment_page_offers_the_break_years_and_makes_the_ticked_ones(
    client, tree, staff, returning
):
    from django.urls import reverse

    detail = reverse("medical:enrolment_detail", args=[returning.pk])
    action = reverse("medical:enrolment_back_payment", args=[returning.pk])
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(detail).content.decode()
    assert 'name="years" value="2024"' in page and 'name="years" value="2025"' in page
    response = client.post(action, {"years": ["2025"]})
    assert response.status_code == 302 and response.url == detail
    assert list(Due.objects.filter(kind=DueKind.BACK_PAYMENT).values_list("year", flat=True)) == [
        2025
    ]
    page = client.get(detail).content.decode()
    assert 'value="2025"' not in page and 'name="years" value="2024"' in page
    assert "补缴" in page
    client.force_login(StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b))
    assert client.post(action, {"years": ["2024"]}).status_code == 404
    client.force_login(staff[Role.FINANCE])
    assert client.post(action, {"years": ["2024"]}).status_code == 403
    assert Due.objects.filter(kind=DueKind.BACK_PAYMENT).count() == 1

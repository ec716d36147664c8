"""The award pages: turning-60 list and its Excel, apply and decide, the calculation sheet on
screen and as PDF (its text holds the figures), standards (a negative amount refused, naming
the field), the estimator pages, and the seed command."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from jumin.core import pdf
from jumin.core.models import Role
from jumin.pension.models import AwardStatus, BenefitStandard, EntrySource
from jumin.pension.tests.factories import (
    AwardFactory,
    BenefitStandardFactory,
    EnrolmentFactory,
    InterestRateFactory,
    PlanFactory,
)
from jumin.pension.tests.services.test_awards import grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def e1_person(tree):
    for year in range(2010, 2027):
        InterestRateFactory(year=year)
    BenefitStandardFactory(
        effective_from=datetime.date(2025, 1, 1),
        central_minimum=Decimal("143"),
        local_start=datetime.date(2009, 10, 1),
    )
    person = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1964, 12, 10)
    ).person
    grow(
        person,
        {
            y: [
                (EntrySource.PERSONAL, Decimal("500"), 3),
                (EntrySource.SUBSIDY_COUNTY, Decimal("60"), 3),
            ]
            for y in range(2010, 2025)
        },
    )
    return person


def test_turning_60_apply_decide_and_the_pdf_sheet(client, staff, e1_person, time_machine):
    time_machine.move_to(datetime.datetime(2024, 11, 20, 10, 0))
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("pension:turning_60"), {"month": "2024-12"})
    assert page.status_code == 200
    assert e1_person.name in page.content.decode()
    export = client.get(reverse("pension:turning_60"), {"month": "2024-12", "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    time_machine.move_to(datetime.datetime(2024, 12, 3, 10, 0))
    client.force_login(staff[Role.VILLAGE_ASSISTANT])  # a new day, a new session
    answer = client.post(reverse("pension:award_apply", args=[e1_person.pk]))
    award = e1_person.pension_awards.get()
    assert answer.url == reverse("pension:award_detail", args=[award.pk])
    client.force_login(staff[Role.COUNTY_CLERK])
    client.post(reverse("pension:award_decide", args=[award.pk]), {"approve": "1"})
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE and award.account_pension == Decimal("67.21")
    detail = client.get(reverse("pension:award_detail", args=[award.pk])).content.decode()
    assert "9342.00" in detail and "210.21" in detail
    response = client.get(reverse("pension:award_sheet", args=[award.pk]), {"pdf": "1"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf.pdf_text(response.content)
    for figure in ("9342.00", "67.21", "143.00", "210.21", "养老金计算表"):
        assert figure in text
    month = client.get(reverse("pension:award_sheets"), {"month": "2025-01", "pdf": "1"})
    assert "67.21" in pdf.pdf_text(month.content)


def test_sheet_out_of_scope_is_404(client, staff, tree):
    award = AwardFactory(village=tree.village_b1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.get(reverse("pension:award_sheet", args=[award.pk])).status_code == 404
    assert client.get(reverse("pension:award_detail", args=[award.pk])).status_code == 404


def test_standards_page_refuses_negative_amounts_and_a_table_without_60(client, staff, tree):
    client.force_login(staff[Role.COUNTY_ADMIN])
    form = {
        "effective_from": "2027-01-01",
        "central_minimum": "-1",
        "local_top_up": "10",
        "extra_per_year": "0",
        "extra_after_years": "15",
        "required_years": "15",
        "divisors": "61=132",
        "funeral_grant": "0",
    }
    page = client.post(reverse("pension:benefit_standard_create"), form).content.decode()
    assert "中央基础养老金最低标准：不能为负数" in page
    assert "缺少60周岁的计发月数" in page
    assert not BenefitStandard.objects.exists()
    form.update(central_minimum="183", divisors="60=139,65=101", late_arrears_months="6")
    answer = client.post(reverse("pension:benefit_standard_create"), form)
    assert answer.status_code == 302
    row = BenefitStandard.objects.get()
    assert row.region_id == tree.county.code and row.divisor(62) == 139
    assert row.late_arrears_months == 6
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.post(reverse("pension:benefit_standard_create"), form).status_code == 403


def test_seed_benefits_twice_adds_nothing(tree):
    call_command("seed_benefits")
    rows = BenefitStandard.objects.filter(region_id="340000000000")
    assert rows.count() == 9
    assert BenefitStandard.objects.in_force(
        region_code=tree.village_a1.code, on=datetime.date(2025, 6, 1)
    ).central_minimum == Decimal("143")
    call_command("seed_benefits")
    assert rows.count() == 9


def test_estimator_pages(client, staff, tree, e1_person):
    for year in range(2024, 2030):
        PlanFactory(year=year)
    BenefitStandardFactory(
        effective_from=datetime.date(2026, 1, 1), local_start=datetime.date(2009, 10, 1)
    )
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(
        reverse("pension:estimate"),
        {"birth_date": "1968-05-01", "from_year": "2026", "opening": "0", "opening_years": "0"},
    )
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") >= 13  # header + 12 grades
    young = EnrolmentFactory(village=tree.village_a1, person__birth_date=datetime.date(1970, 5, 1))
    mine = client.get(reverse("pension:estimate_person", args=[young.person.pk]))
    assert mine.status_code == 200 and "月养老金合计" in mine.content.decode()

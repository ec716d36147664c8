"""Enrolment, financing, fund and participation pages: scoping for every role, the covered-from
date shown with its reason, registering through the page, the Excel export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jumin.collection.models import Due, DueStep
from jumin.core.models import AuditEntry, Role
from jumin.medical.models import CoverageStatus, Financing, MedicalEnrolment, ParticipationTarget
from jumin.medical.services.enrolment import coverage_update, enrolment_register
from jumin.medical.services.fund import post_confirmed
from jumin.medical.tests.enrolment_testing import pay_cash
from jumin.testing.factories import PersonFactory

D = datetime.date
COUNTY_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER]
VISIBLE = {
    Role.TOWNSHIP_CLERK: {"a1", "a2"},
    Role.VILLAGE_ASSISTANT: {"a1"},
    **{role: {"a1", "a2", "b1"} for role in COUNTY_ROLES},
}


@pytest.fixture
def enrolments(tree, staff, financing):
    made = {}
    for key in ("a1", "a2", "b1"):
        person = PersonFactory(village=getattr(tree, f"village_{key}"))
        made[key] = enrolment_register(
            acting_user=staff[Role.COUNTY_CLERK],
            person=person,
            coverage_year=2026,
            on=D(2026, 3, 10),
        )
        pay_cash(person, 2026, D(2026, 3, 10), reference=f"R-{key}")
    coverage_update(acting_user=None, region_code="341125", coverage_year=2026)
    return {key: MedicalEnrolment.objects.get(pk=e.pk) for key, e in made.items()}


@pytest.mark.parametrize("role", list(Role))
def test_list_and_detail_are_scoped_for_every_role(client, staff, enrolments, role):
    client.force_login(staff[role])
    response = client.get(reverse("medical:enrolments"))
    assert response.status_code == 200
    assert {e.pk for e in response.context["page"]} == {enrolments[key].pk for key in VISIBLE[role]}
    for key, enrolment in enrolments.items():
        response = client.get(reverse("medical:enrolment_detail", args=[enrolment.pk]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404)


def test_detail_shows_the_covered_from_date_with_its_reason(client, staff, enrolments):
    enrolment = enrolments["a1"]
    assert enrolment.status == CoverageStatus.COVERED
    assert enrolment.covered_from == D(2026, 6, 1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("medical:enrolment_detail", args=[enrolment.pk])).content.decode()
    assert "2026-06-01" in page
    assert "集中参保期外参保：固定等待期3个月" in page
    assert "居民医保" in page and "400.00" in page


def test_register_through_the_page_and_out_of_scope_is_refused(client, staff, tree, financing):
    mine = PersonFactory(village=tree.village_a1)
    theirs = PersonFactory(village=tree.village_b1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    url = reverse("medical:enrolment_register")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"id_number": theirs.id_number, "coverage_year": 2026, "enrolled_on": "2025-10-10"}
    )
    assert response.status_code == 200
    assert "您的辖区内没有这个身份证号的参保人" in response.content.decode()
    response = client.post(
        url, {"id_number": mine.id_number, "coverage_year": 2026, "enrolled_on": "2025-10-10"}
    )
    enrolment = MedicalEnrolment.objects.get(person=mine)
    assert response.status_code == 302
    assert response["Location"] == reverse("medical:enrolment_detail", args=[enrolment.pk])
    client.post(
        url, {"id_number": mine.id_number, "coverage_year": 2026, "enrolled_on": "2025-10-10"}
    )
    assert MedicalEnrolment.objects.filter(person=mine).count() == 1
    assert not MedicalEnrolment.objects.filter(person=theirs).exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.LEADER])
def test_register_page_is_forbidden_to_roles_without_the_permission(client, staff, role):
    client.force_login(staff[role])
    assert client.get(reverse("medical:enrolment_register")).status_code == 403


def test_financing_page_and_edit_by_the_county_admin(client, staff, financing):
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get(reverse("medical:financing"))
    assert response.status_code == 200
    assert "个人缴费标准未确认" in response.content.decode()
    assert client.get(reverse("medical:financing_edit", args=[financing.pk])).status_code == 403
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse("medical:financing_edit", args=[financing.pk])
    assert client.get(url).status_code == 200
    data = {
        "premium": "410.00",
        "subsidy": "724.00",
        "window_start": "2025-09-01",
        "window_end": "2025-12-31",
        "waiting_months": "3",
        "extra_from_second_break_year": "on",
        "newborn_days": "90",
        "document_number": "县医保发〔2025〕1号",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-kind": "extreme_poverty",
        "rules-0-detail": "",
        "rules-0-precedence": "1",
        "rules-0-mode": "share",
        "rules-0-share": "1.5",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "第1行资助规则：按比例资助的比例应大于0且不超过100%" in response.content.decode()
    assert Financing.objects.get(pk=financing.pk).premium == Decimal("400.00")
    data["rules-0-mode"] = "full"
    data["rules-0-share"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    financing.refresh_from_db()
    assert financing.premium == Decimal("410.00")
    assert [r.mode for r in financing.assistance_rules.all()] == ["full"]
    entry = AuditEntry.objects.get(action="medical.financing.update", object_id=str(financing.pk))
    assert entry.before["premium"] == "400.00" and entry.after["premium"] == "410.00"


@pytest.mark.parametrize("role", list(Role))
def test_fund_page_for_county_roles_only(client, staff, enrolments, role):
    Due.objects.filter(scheme="medical").transition(
        DueStep.CONFIRM, at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
    )
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    client.force_login(staff[role])
    response = client.get(reverse("medical:fund"))
    if role in COUNTY_ROLES:
        assert response.status_code == 200
        assert "3372.00" in response.content.decode()  # 3 × (400 + 724)
    else:
        assert response.status_code == 403


def test_participation_page_and_export(client, staff, tree, enrolments):
    PersonFactory(village=tree.village_a1)  # a resident not insured
    ParticipationTarget.objects.create(
        coverage_year=2026, region=tree.township_a, rate=Decimal("0.95")
    )
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get(reverse("medical:participation"), {"year": 2026})
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["rows"]}
    township_a = rows[tree.township_a.code]
    assert (township_a.residents, township_a.insured) == (3, 2)
    assert township_a.rate == Decimal("0.6667")
    assert township_a.gap == 1
    response = client.get(reverse("medical:participation_export"), {"year": 2026})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "区划"
    assert any(row[1] == tree.township_a.code and row[4] == 2 for row in values[1:])


def test_township_clerk_sees_only_its_villages_and_not_another_township(
    client, staff, tree, enrolments
):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.get(reverse("medical:participation"), {"year": 2026})
    assert response.status_code == 200
    assert {row.code for row in response.context["rows"][:-1]} == {
        tree.village_a1.code,
        tree.village_a2.code,
    }
    response = client.get(
        reverse("medical:participation"), {"year": 2026, "region": tree.township_b.code}
    )
    assert response.status_code == 404

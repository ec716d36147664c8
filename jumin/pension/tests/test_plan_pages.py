import pytest
from django.urls import reverse

from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.pension.models import ContributionPlan
from jumin.pension.services import plan_data_from_file, plan_seed
from jumin.testing.factories import RegionFactory


@pytest.fixture
def plans(tree):
    data = plan_data_from_file()
    other_county = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    return {
        "province": plan_seed(actor=None, year=2026, region_code="340000000000", data=data)[0],
        "county": plan_seed(actor=None, year=2027, region_code=tree.county.code, data=data)[0],
        "other": plan_seed(actor=None, year=2026, region_code=other_county.code, data=data)[0],
    }


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_plans_that_apply_to_it(client, staff, plans, role):
    client.force_login(staff[role])
    response = client.get(reverse("pension:plans"))
    assert response.status_code == 200
    shown = set(response.context["plans"])
    assert shown == {plans["province"], plans["county"]}


@pytest.mark.parametrize("role", [Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT, Role.FINANCE])
def test_plan_detail_shows_grades_and_precedence(client, staff, plans, role):
    client.force_login(staff[role])
    response = client.get(reverse("pension:plan_detail", args=[plans["county"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "2000.00" in text and "特困人员" in text
    assert len(response.context["rows"]) == 12


def test_plan_of_another_county_is_404(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("pension:plan_detail", args=[plans["other"].pk]))
    assert response.status_code == 404
    assert client.get(reverse("pension:plan_detail", args=[999999])).status_code == 404


def test_plans_need_login(client, plans):
    response = client.get(reverse("pension:plans"))
    assert response.status_code == 302


def test_county_admin_copies_own_plan_to_next_year_once(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse("pension:plan_copy", args=[plans["county"].pk])
    assert (
        "复制为2028年方案"
        in client.get(reverse("pension:plan_detail", args=[plans["county"].pk])).content.decode()
    )
    first = client.post(url)
    again = client.post(url)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    copy = ContributionPlan.objects.get(year=2028, region=plans["county"].region)
    assert copy.grades.count() == 12 and copy.government_paid_rules.count() == 6
    assert AuditEntry.objects.filter(action="pension.plan_copy").count() == 1


@pytest.mark.parametrize("role", [Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK, Role.FINANCE])
def test_other_roles_may_not_copy(client, staff, plans, role):
    client.force_login(staff[role])
    response = client.post(reverse("pension:plan_copy", args=[plans["county"].pk]))
    assert response.status_code == 403
    assert not ContributionPlan.objects.filter(year=2028).exists()


def test_province_plan_is_read_only_for_the_county(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    detail = client.get(reverse("pension:plan_detail", args=[plans["province"].pk]))
    assert "复制为" not in detail.content.decode()
    response = client.post(reverse("pension:plan_copy", args=[plans["province"].pk]))
    assert response.status_code == 403
    other = client.post(reverse("pension:plan_copy", args=[plans["other"].pk]))
    assert other.status_code == 404
    assert ContributionPlan.objects.count() == 3


def edit_post(plan, grades, **changes):
    data = {
        "document_number": "皖人社〔2027〕1号",
        "collective_subsidy_limit": "1000",
        "government_paid_subsidised": "on",
        "lowest_grade_subsidy_floor": "30",
        "high_grade_threshold": "500",
        "high_grade_subsidy_floor": "60",
        "grades-TOTAL_FORMS": str(len(grades)),
        "grades-INITIAL_FORMS": "0",
        "grades-MIN_NUM_FORMS": "0",
        "grades-MAX_NUM_FORMS": "1000",
    }
    for index, (amount, province, county) in enumerate(grades):
        data[f"grades-{index}-amount"] = amount
        data[f"grades-{index}-subsidy_province"] = province
        data[f"grades-{index}-subsidy_city"] = "0"
        data[f"grades-{index}-subsidy_county"] = county
    data.update(changes)
    return data


def test_county_admin_edits_grades_and_it_is_audited(client, staff, plans):
    plan = plans["county"]
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse("pension:plan_edit", args=[plan.pk])
    assert client.get(url).status_code == 200
    grades = [("200", "20", "15"), ("500", "40", "25"), ("1000", "40", "50")]
    response = client.post(url, edit_post(plan, grades))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert [str(a) for a in plan.grades.values_list("amount", flat=True)] == [
        "200.00",
        "500.00",
        "1000.00",
    ]
    assert plan.document_number == "皖人社〔2027〕1号"
    entry = AuditEntry.objects.get(action="pension.plan_update")
    assert entry.after["document_number"] == "皖人社〔2027〕1号"
    assert len(entry.before["grades"]) == 12


def test_invalid_edit_shows_chinese_message_and_changes_nothing(client, staff, plans):
    plan = plans["county"]
    client.force_login(staff[Role.COUNTY_ADMIN])
    grades = [("200", "20", "15"), ("500", "40", "10")]
    response = client.post(reverse("pension:plan_edit", args=[plan.pk]), edit_post(plan, grades))
    assert response.status_code == 200
    assert "第2行档次（500元）：500元及以上档次补贴合计不得低于60元" in response.content.decode()
    assert "集体补助上限：不得超过最高档次500元" in response.content.decode()
    assert plan.grades.count() == 12
    assert not AuditEntry.objects.filter(action="pension.plan_update").exists()


def test_edit_is_for_the_county_admin_of_the_plan_only(client, staff, plans):
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.get(reverse("pension:plan_edit", args=[plans["county"].pk])).status_code == 403
    client.force_login(staff[Role.COUNTY_ADMIN])
    assert client.get(reverse("pension:plan_edit", args=[plans["other"].pk])).status_code == 404
    assert client.get(reverse("pension:plan_edit", args=[plans["province"].pk])).status_code == 403

import pytest
from django.urls import reverse

from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.pension.models import ContributionPlan
from jumin.pension.services.plans import plan_data_from_file, plan_seed
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
    assert AuditEntry.objects.filter(action="pension.plan.copy").count() == 1


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


DEFAULT_RULES = [
    ("extreme_poverty", "", "1", "full_minimum", ""),
    ("subsistence_allowance", "full", "2", "full_minimum", ""),
]


def edit_post(plan, grades, rules=DEFAULT_RULES, **changes):
    data = {
        "document_number": "皖人社〔2027〕1号",
        "collective_subsidy_limit": "1000",
        "government_paid_subsidised": "on",
        "lowest_grade_subsidy_floor": "30",
        "high_grade_threshold": "500",
        "high_grade_subsidy_floor": "60",
        "minimum_age": "16",
        "government_paid_cutoff": "",
        "grades-TOTAL_FORMS": str(len(grades)),
        "grades-INITIAL_FORMS": "0",
        "grades-MIN_NUM_FORMS": "0",
        "grades-MAX_NUM_FORMS": "1000",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index, (amount, province, county) in enumerate(grades):
        data[f"grades-{index}-amount"] = amount
        data[f"grades-{index}-subsidy_province"] = province
        data[f"grades-{index}-subsidy_city"] = "0"
        data[f"grades-{index}-subsidy_county"] = county
    for index, (kind, detail, precedence, amount_rule, amount) in enumerate(rules):
        data[f"rules-{index}-kind"] = kind
        data[f"rules-{index}-detail"] = detail
        data[f"rules-{index}-precedence"] = precedence
        data[f"rules-{index}-amount_rule"] = amount_rule
        data[f"rules-{index}-amount"] = amount
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
    entry = AuditEntry.objects.get(action="pension.plan.update")
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
    assert not AuditEntry.objects.filter(action="pension.plan.update").exists()


def test_edit_is_for_the_county_admin_of_the_plan_only(client, staff, plans):
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.get(reverse("pension:plan_edit", args=[plans["county"].pk])).status_code == 403
    client.force_login(staff[Role.COUNTY_ADMIN])
    assert client.get(reverse("pension:plan_edit", args=[plans["other"].pk])).status_code == 404
    assert client.get(reverse("pension:plan_edit", args=[plans["province"].pk])).status_code == 403


# --------------------------------------------------------------------------- new plan


def create_post(year="2028", region="341125000000", grades=None, rules=DEFAULT_RULES, **changes):
    grades = grades or [("100", "20", "10"), ("200", "20", "15"), ("500", "40", "25")]
    changes.setdefault("collective_subsidy_limit", "500")
    return edit_post(None, grades, rules, year=year, region=region, **changes)


def test_county_admin_creates_a_blank_plan_once(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse("pension:plan_create")
    page = client.get(url)
    assert page.status_code == 200
    assert [code for code, _ in page.context["target_form"].fields["region"].choices] == [
        "341125000000"
    ]
    assert "新建缴费方案" in client.get(reverse("pension:plans")).content.decode()
    first = client.post(url, create_post())
    again = client.post(url, create_post())
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    plan = ContributionPlan.objects.get(year=2028, region_id="341125000000")
    assert plan.grades.count() == 3
    assert list(plan.government_paid_rules.values_list("kind", "precedence")) == [
        ("extreme_poverty", 1),
        ("subsistence_allowance", 2),
    ]
    assert plan.minimum_age == 16
    entries = AuditEntry.objects.filter(action="pension.plan.create", object_id=str(plan.pk))
    assert entries.count() == 1
    assert len(entries.get().after["government_paid_rules"]) == 2


def test_a_different_plan_for_a_year_that_has_one_is_refused(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(reverse("pension:plan_create"), create_post(year="2027"))
    assert response.status_code == 200
    assert "定远县2027年已有缴费方案" in response.content.decode()
    assert plans["county"].grades.count() == 12


def test_plan_whose_subsidies_do_not_cover_every_grade_is_refused(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    grades = [("100", "20", "10"), ("200", "0", "0"), ("300", "20", "20")]
    response = client.post(reverse("pension:plan_create"), create_post(grades=grades))
    assert response.status_code == 200
    assert "第2行档次（200元）：缺少缴费补贴" in response.content.decode()
    assert not ContributionPlan.objects.filter(year=2028).exists()
    assert not AuditEntry.objects.filter(action="pension.plan.create", actor__isnull=False).exists()


def test_new_plan_region_is_limited_to_the_own_county(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(reverse("pension:plan_create"), create_post(region="341126000000"))
    assert response.status_code == 200
    assert response.context["target_form"].errors["region"]
    response = client.post(reverse("pension:plan_create"), create_post(region="340000000000"))
    assert response.status_code == 200
    assert not ContributionPlan.objects.filter(year=2028).exists()


@pytest.mark.parametrize(
    "role", [Role.COUNTY_CLERK, Role.FINANCE, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT]
)
def test_only_the_county_admin_creates_plans(client, staff, plans, role):
    client.force_login(staff[role])
    assert client.get(reverse("pension:plan_create")).status_code == 403
    assert client.post(reverse("pension:plan_create"), create_post()).status_code == 403
    assert "新建缴费方案" not in client.get(reverse("pension:plans")).content.decode()
    assert not ContributionPlan.objects.filter(year=2028).exists()


# --------------------------------------------------------------------------- rules and calendar


def test_county_admin_edits_government_paid_rules_and_eligibility(client, staff, plans):
    plan = plans["county"]
    client.force_login(staff[Role.COUNTY_ADMIN])
    rules = [
        ("family_planning_special", "", "1", "fixed", "300"),
        ("extreme_poverty", "", "2", "full_minimum", ""),
    ]
    grades = [("100", "20", "10"), ("500", "40", "25"), ("1000", "40", "50")]
    data = edit_post(
        plan,
        grades,
        rules,
        government_paid_cutoff="2026-12-31",
        minimum_age="18",
    )
    response = client.post(reverse("pension:plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.minimum_age == 18 and str(plan.cutoff) == "2026-12-31"
    stored = list(plan.government_paid_rules.values_list("kind", "amount_rule", "amount"))
    assert [(kind, rule, str(amount)) for kind, rule, amount in stored] == [
        ("family_planning_special", "fixed", "300.00"),
        ("extreme_poverty", "full_minimum", "None"),
    ]
    entry = AuditEntry.objects.get(action="pension.plan.update")
    assert len(entry.before["government_paid_rules"]) == 6
    assert entry.after["minimum_age"] == 18
    # the same form sent again changes nothing and writes no second audit entry
    assert client.post(reverse("pension:plan_edit", args=[plan.pk]), data).status_code == 302
    assert AuditEntry.objects.filter(action="pension.plan.update").count() == 1


@pytest.mark.parametrize(
    ("rules", "changes", "message"),
    [
        (
            [("extreme_poverty", "", "1", "fixed", "")],
            {},
            "第1行代缴规则：代缴标准为固定金额时必须填写代缴金额",
        ),
        (
            [
                ("extreme_poverty", "", "1", "full_minimum", ""),
                ("severe_disability", "1", "1", "full_minimum", ""),
            ],
            {},
            "第2行代缴规则：优先顺序1与第1行重复",
        ),
        (
            [
                ("severe_disability", "1", "1", "full_minimum", ""),
                ("severe_disability", "1", "2", "full_minimum", ""),
            ],
            {},
            "第2行代缴规则：类别和等级/类型与第1行重复",
        ),
        (
            [("extreme_poverty", "", "1", "full_minimum", "50")],
            {},
            "第1行代缴规则：代缴标准为最低档全额时不填代缴金额",
        ),
        (
            DEFAULT_RULES,
            {"government_paid_cutoff": "2020-01-01"},
            "代缴认定截止日：应在2026年或2027年内",
        ),
    ],
)
def test_invalid_rules_and_eligibility_are_named_and_change_nothing(
    client, staff, plans, rules, changes, message
):
    plan = plans["county"]
    client.force_login(staff[Role.COUNTY_ADMIN])
    grades = [("100", "20", "10"), ("500", "40", "25")]
    data = edit_post(plan, grades, rules, collective_subsidy_limit="500", **changes)
    response = client.post(reverse("pension:plan_edit", args=[plan.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert plan.grades.count() == 12 and plan.government_paid_rules.count() == 6
    plan.refresh_from_db()
    assert plan.minimum_age == 16
    assert not AuditEntry.objects.filter(action="pension.plan.update").exists()


def test_edit_page_lists_the_stored_rules(client, staff, plans):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("pension:plan_edit", args=[plans["county"].pk]))
    formset = response.context["rules_formset"]
    assert [form.initial["precedence"] for form in formset.initial_forms] == [1, 2, 3, 4, 5, 6]

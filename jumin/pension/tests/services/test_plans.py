import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jumin.core.models import AuditEntry
from jumin.pension.models import ContributionPlan, GovernmentPaidRule
from jumin.pension.rules import Grade, PaidRule, PlanParameters, paid_rule_errors, plan_errors
from jumin.pension.services.plans import plan_copy, plan_data_from_file, plan_seed


def test_seed_plans_creates_the_default_plan_once(tree):
    call_command("seed_plans", year=2026, region="340000000000")
    call_command("seed_plans", year=2026, region="340000000000")
    plan = ContributionPlan.objects.get()
    assert plan.grades.count() == 12
    assert plan.lowest_grade_subsidy_floor == Decimal("30")
    assert list(plan.government_paid_rules.values_list("precedence", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert AuditEntry.objects.filter(action="pension.plan.create").count() == 1


def test_seed_plans_refuses_unknown_region(tree):
    with pytest.raises(CommandError, match="999900000000"):
        call_command("seed_plans", year=2026, region="999900000000")
    assert not ContributionPlan.objects.exists()


def test_invalid_plan_is_refused_with_nothing_written(tree):
    data = plan_data_from_file()
    data["grades"][0]["subsidy_county"] = "0"
    with pytest.raises(ValidationError, match="最低档"):
        plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    assert not ContributionPlan.objects.exists()
    assert not GovernmentPaidRule.objects.exists()


def test_county_plan_overrides_city_and_province(tree):
    data = plan_data_from_file()
    province, _ = plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    village = tree.village_a1.code
    assert ContributionPlan.objects.in_force(region_code=village, year=2026) == province
    city, _ = plan_seed(actor=None, year=2026, region_code="341100000000", data=data)
    assert ContributionPlan.objects.in_force(region_code=village, year=2026) == city
    county, _ = plan_seed(actor=None, year=2026, region_code="341125000000", data=data)
    assert ContributionPlan.objects.in_force(region_code=village, year=2026) == county
    assert ContributionPlan.objects.in_force(region_code=village, year=2027) is None
    other_province = "350000000000"
    assert ContributionPlan.objects.in_force(region_code=other_province, year=2026) is None


# --------------------------------------------------------------------------- calendar and rules

D = Decimal
GRADES = [Grade(D("100"), D("20"), D("0"), D("10")), Grade(D("500"), D("40"), D("0"), D("25"))]


def params(**changes):
    values = {
        "collective_subsidy_limit": D("500"),
        "lowest_grade_subsidy_floor": D("30"),
        "high_grade_threshold": D("500"),
        "high_grade_subsidy_floor": D("60"),
        "minimum_age": 16,
        "government_paid_cutoff": None,
    }
    values.update(changes)
    return PlanParameters(**values)


def test_default_eligibility_is_valid():
    assert plan_errors(params(), GRADES, [], year=2026) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"minimum_age": 0}, "最低参保年龄：应在1至99周岁之间"),
        (
            {"government_paid_cutoff": datetime.date(2027, 1, 1)},
            "代缴认定截止日：应在2025年或2026年内",
        ),
    ],
)
def test_eligibility_errors_name_the_field(changes, message):
    assert message in plan_errors(params(**changes), GRADES, year=2026)


def test_the_cutoff_may_fall_in_the_year_before():
    cutoff = datetime.date(2025, 12, 31)
    assert plan_errors(params(government_paid_cutoff=cutoff), GRADES, year=2026) == []


def test_paid_rule_errors_name_each_row():
    rules = [
        PaidRule("extreme_poverty", "", 1, "fixed", None),
        PaidRule("severe_disability", "1", 1, "full_minimum", None),
        PaidRule("severe_disability", "1", 3, "fixed", D("-5")),
        PaidRule("poverty_monitored", "", 4, "full_minimum", D("100")),
        PaidRule("subsistence_allowance", "full", 0, "full_minimum", None),
    ]
    assert paid_rule_errors(rules) == [
        "第1行代缴规则：代缴标准为固定金额时必须填写代缴金额",
        "第2行代缴规则：优先顺序1与第1行重复",
        "第3行代缴规则：代缴金额必须大于0",
        "第3行代缴规则：类别和等级/类型与第2行重复",
        "第4行代缴规则：代缴标准为最低档全额时不填代缴金额",
        "第5行代缴规则：优先顺序必须是正整数",
    ]


def test_plan_without_subsidy_on_a_grade_is_refused():
    grades = [GRADES[0], Grade(D("200"), D("0"), D("0"), D("0")), GRADES[1]]
    assert "第2行档次（200元）：缺少缴费补贴" in plan_errors(params(), grades)


def test_seed_takes_eligibility_from_the_file_or_the_defaults(tree):
    data = plan_data_from_file()
    plan, _ = plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    assert plan.minimum_age == 16
    assert plan.government_paid_cutoff is None
    data.update(government_paid_cutoff="2026-06-30")
    county, _ = plan_seed(actor=None, year=2026, region_code="341125000000", data=data)
    assert county.cutoff == datetime.date(2026, 6, 30)


def test_seed_refuses_bad_rules_in_the_file(tree):
    data = plan_data_from_file()
    data["government_paid_rules"][1]["precedence"] = 1
    with pytest.raises(ValidationError, match="第2行代缴规则：优先顺序1与第1行重复"):
        plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    assert not ContributionPlan.objects.exists()


def test_seed_refuses_an_amount_with_more_than_two_decimals(tree):
    """Amounts of a plan file go through core.money: a third decimal is refused, not rounded
    away (a grade of 100.005 used to be stored as 100.00)."""
    data = plan_data_from_file()
    data["grades"][0]["amount"] = "100.005"
    with pytest.raises(ValidationError, match="最多两位小数"):
        plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    assert not ContributionPlan.objects.exists()


def test_copy_moves_the_cutoff_to_the_new_year(tree):
    data = plan_data_from_file()
    data["government_paid_cutoff"] = "2024-02-29"
    plan, _ = plan_seed(actor=None, year=2024, region_code="341125000000", data=data)
    copy = plan_copy(actor=None, plan=plan, year=2025)
    assert copy.government_paid_cutoff == datetime.date(2025, 2, 28)
    assert copy.government_paid_rules.count() == 6 and copy.grades.count() == 12

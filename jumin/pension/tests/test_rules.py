from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jumin.pension.rules import (
    Grade,
    PaidRule,
    PlanParameters,
    Status,
    government_paid_amount,
    government_paid_for,
    plan_errors,
    subsidy_for,
)
from jumin.pension.services.plans import plan_data_from_file

D = Decimal
PARAMS = PlanParameters(
    collective_subsidy_limit=D("2000"),
    lowest_grade_subsidy_floor=D("30"),
    high_grade_threshold=D("500"),
    high_grade_subsidy_floor=D("60"),
)

# POLICY §2.2 precedence, highest first.
PRECEDENCE = [
    PaidRule("extreme_poverty", "", 1),
    PaidRule("subsistence_allowance", "full", 2),
    PaidRule("severe_disability", "1", 3),
    PaidRule("subsistence_allowance", "partial", 4),
    PaidRule("severe_disability", "2", 5),
    PaidRule("poverty_monitored", "", 6),
]
STATUSES = [
    Status("extreme_poverty"),
    Status("subsistence_allowance", "full"),
    Status("severe_disability", "1"),
    Status("subsistence_allowance", "partial"),
    Status("severe_disability", "2"),
    Status("poverty_monitored"),
]


def grade(amount, province, county, city="0"):
    return Grade(D(str(amount)), D(str(province)), D(city), D(str(county)))


def default_grades():
    return [Grade(**{k: D(v) for k, v in row.items()}) for row in plan_data_from_file()["grades"]]


def test_default_plan_has_the_national_twelve_grades_and_is_valid():
    grades = default_grades()
    assert [g.amount for g in grades] == [D(a) for a in (*range(100, 1001, 100), 1500, 2000)]
    assert plan_errors(PARAMS, grades) == []


def test_grade_without_subsidy_is_named():
    params = PlanParameters(D("0"), D("30"), D("500"), D("60"))
    errors = plan_errors(params, [grade(100, 20, 10), grade(200, 0, 0)])
    assert errors == ["第2行档次（200元）：缺少缴费补贴"]


def test_grades_must_ascend_and_be_unique():
    errors = plan_errors(PARAMS, [grade(200, 20, 15), grade(200, 20, 15)])
    assert any("第2行" in e and "不能重复" in e for e in errors)
    errors = plan_errors(PARAMS, [grade(300, 20, 20), grade(200, 20, 15)])
    assert any("第2行" in e and "从低到高" in e for e in errors)


def test_lowest_grade_subsidy_floor_comes_from_the_plan():
    assert any("最低档" in e for e in plan_errors(PARAMS, [grade(100, 20, 9)]))
    lenient = PlanParameters(D("100"), D("29"), D("500"), D("60"))
    assert plan_errors(lenient, [grade(100, 20, 9)]) == []


def test_high_grade_needs_the_high_floor():
    params = PlanParameters(D("500"), D("30"), D("500"), D("60"))
    errors = plan_errors(params, [grade(100, 20, 10), grade(500, 40, 19)])
    assert errors == ["第2行档次（500元）：500元及以上档次补贴合计不得低于60元"]


def test_collective_limit_may_not_exceed_top_grade():
    params = PlanParameters(D("600"), D("30"), D("500"), D("60"))
    errors = plan_errors(params, [grade(100, 20, 10), grade(500, 40, 20)])
    assert errors == ["集体补助上限：不得超过最高档次500元"]


def test_empty_plan_is_refused():
    assert plan_errors(PARAMS, []) == ["缴费档次：至少要有一个档次"]


def test_subsidy_for_returns_the_split_of_the_grade():
    grades = default_grades()
    assert subsidy_for(grades, D("500")) == (D("40"), D("0"), D("20"))
    assert sum(subsidy_for(grades, D("100"))) == D("30")


def test_subsidy_for_unknown_grade_is_an_error():
    try:
        subsidy_for(default_grades(), D("150"))
    except ValueError as error:
        assert "150" in str(error)
    else:
        raise AssertionError("150 is not a grade")


def test_no_status_means_no_government_payment():
    assert government_paid_for(PRECEDENCE, []) is None
    assert government_paid_for(PRECEDENCE, [Status("severe_disability", "3")]) is None
    assert government_paid_for(PRECEDENCE, [Status("family_planning_special", "x")]) is None


def test_extreme_poverty_beats_grade_one_disability():
    statuses = [Status("severe_disability", "1"), Status("extreme_poverty")]
    assert government_paid_for(PRECEDENCE, statuses).precedence == 1


@given(st.lists(st.sampled_from(STATUSES), min_size=1), st.permutations(PRECEDENCE))
def test_highest_precedence_wins_whatever_the_order(statuses, rules):
    chosen = government_paid_for(rules, statuses)
    expected = min(STATUSES.index(status) for status in statuses) + 1
    assert chosen.precedence == expected
    assert chosen is not None


def test_full_minimum_pays_the_lowest_grade_and_fixed_pays_its_amount():
    grades = default_grades()
    assert government_paid_amount(PRECEDENCE[0], grades) == D("100")
    fixed = PaidRule("severe_disability", "2", 5, "fixed", D("50"))
    assert government_paid_amount(fixed, grades) == D("50")

"""Waiting periods (POLICY §3.2, EXAMPLES E9), assistance and participation as pure rules."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.medical import rules

D = datetime.date
WINDOW_2025 = rules.WaitingParameters(window_start=D(2024, 9, 1), window_end=D(2024, 12, 31))
WINDOW_2026 = rules.WaitingParameters(window_start=D(2025, 9, 1), window_end=D(2025, 12, 31))


def test_e9_one_year_break_outside_the_window_waits_the_fixed_three_months():
    start, reason = rules.waiting_period(
        WINDOW_2025,
        coverage_year=2025,
        enrolled_on=D(2025, 5, 12),
        paid_on=D(2025, 5, 12),
        break_years=rules.break_years_before(2025, [2022, 2023]),
    )
    assert start == D(2025, 8, 1)
    assert "固定等待期3个月" in reason


def test_e9_paying_the_break_year_back_does_not_shorten_the_fixed_months():
    start, _ = rules.waiting_period(
        WINDOW_2025,
        coverage_year=2025,
        enrolled_on=D(2025, 5, 12),
        paid_on=D(2025, 5, 12),
        break_years=1,
        back_paid_years=1,
    )
    assert start == D(2025, 8, 1)


def test_paid_in_the_window_without_a_break_is_covered_from_the_first_of_january():
    start, reason = rules.waiting_period(
        WINDOW_2026, coverage_year=2026, enrolled_on=D(2025, 10, 8), paid_on=D(2025, 11, 3)
    )
    assert start == D(2026, 1, 1)
    assert "集中参保期内" in reason


def test_a_first_enrolment_is_no_break():
    assert rules.break_years_before(2026, []) == 0
    assert rules.break_years_before(2026, [2025]) == 0
    assert rules.break_years_before(2026, [2022, 2023]) == 2


def test_every_break_year_beyond_the_first_adds_a_month_and_each_year_paid_back_takes_one():
    common = {"coverage_year": 2026, "enrolled_on": D(2026, 3, 2), "paid_on": D(2026, 3, 2)}
    # three years without cover: fixed 3 + variable 2 = 5 months after March
    assert rules.waiting_period(WINDOW_2026, break_years=3, **common)[0] == D(2026, 8, 1)
    # two of them paid back: variable 0
    assert rules.waiting_period(WINDOW_2026, break_years=3, back_paid_years=2, **common)[0] == D(
        2026, 6, 1
    )
    # paying back more years than the variable months never goes under the fixed months
    assert rules.waiting_period(WINDOW_2026, break_years=3, back_paid_years=9, **common)[0] == D(
        2026, 6, 1
    )


def test_the_switch_counts_variable_months_from_the_first_break_year():
    params = rules.WaitingParameters(
        window_start=D(2025, 9, 1), window_end=D(2025, 12, 31), extra_from_second_break_year=False
    )
    start, reason = rules.waiting_period(
        params, coverage_year=2026, enrolled_on=D(2026, 3, 2), paid_on=D(2026, 3, 2), break_years=1
    )
    assert start == D(2026, 7, 1)  # 3 + 1 months after March
    assert "变动等待期1个月" in reason


def test_a_break_counts_even_in_the_window():
    start, reason = rules.waiting_period(
        WINDOW_2026,
        coverage_year=2026,
        enrolled_on=D(2025, 10, 1),
        paid_on=D(2025, 10, 1),
        break_years=2,
    )
    assert start == D(2026, 2, 1)  # October + 3 + 1 months
    assert reason.startswith("断保后参保")


def test_a_newborn_enrolled_within_ninety_days_is_covered_from_birth():
    start, reason = rules.waiting_period(
        WINDOW_2026,
        coverage_year=2026,
        enrolled_on=D(2026, 5, 30),
        paid_on=D(2026, 6, 2),
        birth_date=D(2026, 3, 1),
    )
    assert start == D(2026, 3, 1)
    assert "新生儿" in reason


def test_a_baby_enrolled_after_ninety_days_waits_like_anyone_outside_the_window():
    start, _ = rules.waiting_period(
        WINDOW_2026,
        coverage_year=2026,
        enrolled_on=D(2026, 6, 1),
        paid_on=D(2026, 6, 1),
        birth_date=D(2026, 3, 1),
    )
    assert start == D(2026, 9, 1)


@given(
    paid=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)),
    breaks=st.integers(0, 8),
    back=st.integers(0, 8),
)
def test_never_before_january_and_never_shorter_than_the_fixed_months_outside_the_window(
    paid, breaks, back
):
    start, _ = rules.waiting_period(
        WINDOW_2026,
        coverage_year=2026,
        enrolled_on=paid,
        paid_on=paid,
        break_years=breaks,
        back_paid_years=back,
    )
    assert start >= D(2026, 1, 1)
    assert start.day == 1
    if not rules.in_window(WINDOW_2026, paid) or breaks:
        assert start >= rules.add_months(paid, 3)


RULES = [
    rules.Rule("extreme_poverty", "", 1, "full"),
    rules.Rule("subsistence_allowance", "", 2, "share", share=Decimal("0.6")),
    rules.Rule("poverty_monitored", "", 3, "fixed", amount=Decimal("150.00")),
]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], Decimal("0.00")),
        ([rules.Status("extreme_poverty")], Decimal("400.00")),
        ([rules.Status("subsistence_allowance", "full")], Decimal("240.00")),
        ([rules.Status("poverty_monitored")], Decimal("150.00")),
        # in two groups: the rule of highest precedence (lowest number) pays
        ([rules.Status("poverty_monitored"), rules.Status("extreme_poverty")], Decimal("400.00")),
    ],
)
def test_assistance_by_group_with_precedence(statuses, expected):
    rule = rules.assistance_rule_for(RULES, statuses)
    assert rules.assistance_amount(rule, Decimal("400.00")) == expected


def test_a_fixed_assistance_above_the_premium_pays_the_premium_only():
    rule = rules.Rule("poverty_monitored", "", 1, "fixed", amount=Decimal("500.00"))
    assert rules.assistance_amount(rule, Decimal("380.00")) == Decimal("380.00")


def test_financing_errors_name_every_problem():
    params = rules.WaitingParameters(window_start=D(2025, 12, 31), window_end=D(2025, 9, 1))

    class Row:
        premium = Decimal("-1")
        subsidy = Decimal("724")
        window_start = params.window_start
        window_end = params.window_end
        waiting_months = 3
        coverage_year = 2026

    errors = rules.financing_errors(
        Row,
        [
            rules.Rule("extreme_poverty", "", 1, "share", share=Decimal("1.2")),
            rules.Rule("extreme_poverty", "", 1, "fixed"),
        ],
    )
    assert "个人缴费标准：不能为负数" in errors
    assert "集中参保期：结束日期不能早于开始日期" in errors
    assert any(e.startswith("第1行资助规则：按比例") for e in errors)
    assert any("第2行资助规则：定额资助" in e for e in errors)
    assert any("优先顺序1与第1行重复" in e for e in errors)
    assert any("与第1行重复" in e and "类别" in e for e in errors)


def test_participation_rate():
    assert rules.participation_rate(0, 0) is None
    assert rules.participation_rate(955, 1000) == Decimal("0.9550")

"""Eligibility at 60 and the pension calculation (EXAMPLES E1, E2, E7) through the pure rules
the award and the estimator share."""

import datetime
from decimal import Decimal

from jumin.pension import rules
from jumin.pension.models import BenefitStandard
from jumin.pension.models.benefits import default_divisors

RATE = Decimal("0.015")


def standard(central="143", top_up="0", extra="0", required=15, local_start=None):
    return BenefitStandard(
        central_minimum=Decimal(central),
        local_top_up=Decimal(top_up),
        extra_per_year=Decimal(extra),
        extra_after_years=15,
        required_years=required,
        divisors=default_divisors(),
        local_start=local_start,
    )


def flat_rate(year):
    return RATE, "A"


def test_e1_fifteen_years_at_grade_500():
    # credits 2010–2024, born December 1964: 60 in December 2024, start January 2025
    years = [rules.YearCredits(year=y, credits=((3, Decimal("560")),)) for y in range(2010, 2025)]
    calculation, projection, start = rules.estimate(
        birth_date=datetime.date(1964, 12, 10),
        opening=Decimal("0"),
        opening_years=0,
        years=years,
        rate_of=flat_rate,
        standard=standard("143"),
    )
    assert start == datetime.date(2025, 1, 1)
    assert projection.balance == Decimal("9342.00")
    assert calculation.account_pension == Decimal("67.21")
    assert calculation.monthly_total == Decimal("210.21")
    assert calculation.contribution_years == 15
    assert [step.amount for step in projection.steps[:3]] == [
        Decimal("560.00"),
        Decimal("1128.40"),
        Decimal("1705.33"),
    ]


def test_e2_basic_only_from_the_standard_in_force():
    for on, central, expected in (
        (datetime.date(2025, 6, 1), "143", "143.00"),
        (datetime.date(2026, 1, 1), "163", "163.00"),
    ):
        calculation, _projection, start = rules.estimate(
            birth_date=datetime.date(1940, 3, 5),
            opening=Decimal("0"),
            opening_years=0,
            years=[],
            rate_of=flat_rate,
            standard=standard(central, local_start=datetime.date(2011, 7, 1)),
            local_start=datetime.date(2011, 7, 1),
            not_before=on,
        )
        assert start == on
        assert calculation.account_pension == Decimal("0.00")
        assert calculation.monthly_total == Decimal(expected)


def test_e7_ten_years_and_five_back_paid():
    years = [rules.YearCredits(year=y, credits=((3, Decimal("230")),)) for y in range(2016, 2025)]
    years.append(
        rules.YearCredits(
            year=2025, credits=((3, Decimal("230")), (6, Decimal("1000"))), extra_years=5
        )
    )
    local_start = datetime.date(2016, 1, 1)
    calculation, projection, start = rules.estimate(
        birth_date=datetime.date(1965, 12, 1),
        opening=Decimal("0"),
        opening_years=0,
        years=years,
        rate_of=flat_rate,
        standard=standard("163", local_start=local_start),
        local_start=local_start,
    )
    assert start == datetime.date(2026, 1, 1)
    assert projection.balance == Decimal("3461.62")
    assert calculation.account_pension == Decimal("24.90")
    assert calculation.monthly_total == Decimal("187.90")
    assert calculation.contribution_years == 15


def test_part_year_interest_counts_the_months_before_the_start():
    # born May 1966: start June 2026, five months of 2026 on the opening balance (mode A)
    years = [rules.YearCredits(year=2025, credits=((3, Decimal("1000")),))]
    calculation, projection, start = rules.estimate(
        birth_date=datetime.date(1966, 5, 20),
        opening=Decimal("0"),
        opening_years=0,
        years=years,
        rate_of=lambda year: (Decimal("0.024"), "A"),
        standard=standard("163"),
    )
    assert start == datetime.date(2026, 6, 1)
    assert projection.balance == Decimal("1000.00")
    assert calculation.balance == Decimal("1010.00")  # 1000 × 2.4 % × 5/12
    assert calculation.steps[1].amount == Decimal("10.00")


def eligibility(birth, start, **kwargs):
    values = {
        "death_date": None,
        "local_start": datetime.date(2011, 7, 1),
        "required_years": 15,
        "contribution_years": 15,
    }
    values.update(kwargs)
    return rules.award_eligibility(birth_date=birth, on=start, **values)


def test_eligibility_normal_and_short_of_years():
    ok = eligibility(datetime.date(1966, 11, 3), datetime.date(2026, 12, 1))
    assert ok.eligible and ok.kind == "normal" and ok.missing_years == 0
    short = eligibility(
        datetime.date(1966, 11, 3), datetime.date(2026, 12, 1), contribution_years=12
    )
    assert short.short_of_years and short.missing_years == 3 and not short.eligible


def test_eligibility_transitional_cases():
    # 50 at the local start 2011-07-01: years due 2011–2021 = 11, fewer than 15
    birth = datetime.date(1961, 3, 1)
    paid_every_year = eligibility(birth, datetime.date(2021, 4, 1), contribution_years=11)
    assert paid_every_year.kind == "transitional"
    assert paid_every_year.required_years == 11 and paid_every_year.eligible
    missed = eligibility(birth, datetime.date(2021, 4, 1), contribution_years=9)
    assert missed.missing_years == 2 and missed.short_of_years
    capped = eligibility(birth, datetime.date(2021, 4, 1), contribution_years=18)
    assert capped.contribution_years == 15


def test_eligibility_basic_only_needs_no_contributions():
    basic = eligibility(datetime.date(1945, 5, 1), datetime.date(2011, 7, 1), contribution_years=0)
    assert basic.kind == "basic_only" and basic.eligible and basic.required_years == 0


def test_refusals_name_each_reason():
    birth = datetime.date(1966, 11, 3)
    assert eligibility(birth, datetime.date(2026, 11, 1)).refusals == ("未满60周岁，不能核定待遇",)
    too_early = eligibility(
        datetime.date(1970, 1, 1), datetime.date(2030, 2, 1), applied_on=datetime.date(2026, 12, 2)
    )
    assert "未满60周岁，不能核定待遇" in too_early.refusals
    refused = eligibility(
        birth,
        datetime.date(2026, 12, 1),
        holds_award=True,
        other_pension=True,
        enrolled=False,
        death_date=datetime.date(2026, 11, 20),
    )
    assert len(refused.refusals) == 4 and not refused.eligible and not refused.short_of_years


def test_start_month_is_the_month_after_the_birthday_or_a_later_application():
    birth = datetime.date(1966, 12, 31)
    assert rules.start_month_for(birth) == datetime.date(2027, 1, 1)
    assert rules.start_month_for(birth, applied_on=datetime.date(2027, 3, 9)) == datetime.date(
        2027, 3, 1
    )
    leap = datetime.date(1968, 2, 29)
    assert rules.sixtieth_birthday(leap) == datetime.date(2028, 2, 29)
    assert rules.start_month_for(leap) == datetime.date(2028, 3, 1)

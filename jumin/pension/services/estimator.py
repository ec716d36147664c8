"""养老金测算: what a contribution history pays at 60, with every step explained.

The inputs come either explicitly (a history year by year, or "grade G from year Y to 60",
crediting rates and mode, the basic-pension numbers) or from the data in force: the plan of
each year for the subsidies, the crediting rates of the region, the benefit standard in force
in the start month, and, with no history at all, the person's own ledger and grade. The
arithmetic is ``rules.estimate``, which ends in ``rules.pension_calculation`` like the award.

Nothing is written: an estimate is a calculation shown, not a record.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from jumin.pension import rules
from jumin.pension.models import (
    AccountEntry,
    BenefitStandard,
    ContributionPlan,
    InterestRate,
    ancestor_codes,
)
from jumin.pension.models.benefits import default_divisors
from jumin.pension.services.awards import contribution_years_of
from jumin.people.models import Person

ZERO = Decimal("0.00")
BOOKED_MONTH = 3  # a year's contribution is credited in March unless a history says otherwise


@dataclass
class EstimateInput:
    birth_date: datetime.date
    region_code: str
    on: datetime.date
    years: list[rules.YearCredits] = field(default_factory=list)
    opening: Decimal = ZERO
    opening_years: int = 0
    first_year: int | None = None
    rates: dict[int, Decimal] | None = None  # explicit rates by year
    rate: Decimal | None = None  # one rate for every year
    mode: str | None = None
    standard: dict | None = None  # explicit basic-pension numbers


def rate_lookup(region_code: str, *, rates=None, rate=None, mode=None):
    """``year → (rate, mode)``: explicit rates by year, else the one rate given, else the rate
    in force for the region (for a future year: the latest year that has one; 0 if none)."""
    rows: dict[int, InterestRate] = {}
    for code in reversed(ancestor_codes(region_code)):  # nearer regions overwrite
        for row in InterestRate.objects.filter(region_id=code):
            rows[row.year] = row

    def lookup(year: int) -> tuple[Decimal, str]:
        if rates and year in rates:
            return rates[year], mode or "A"
        if rate is not None:
            return rate, mode or "A"
        known = [y for y in rows if y <= year]
        if not known:
            return Decimal("0"), mode or "A"
        row = rows[max(known)]
        return row.rate, mode or row.mode

    return lookup


def standard_from(values: dict | None, region_code: str, on: datetime.date):
    if values:
        return BenefitStandard(
            central_minimum=values["central_minimum"],
            local_top_up=values.get("local_top_up") or ZERO,
            extra_per_year=values.get("extra_per_year") or ZERO,
            extra_after_years=values.get("extra_after_years", 15),
            required_years=values.get("required_years", 15),
            divisors=values.get("divisors") or default_divisors(),
            local_start=values.get("local_start"),
        )
    standard = BenefitStandard.objects.in_force(region_code=region_code, on=on)
    if standard is None:
        raise ValidationError(
            {"standard": f"{on:%Y年%m月}没有适用的待遇标准，请填写基础养老金参数"}
        )
    return standard


def plan_subsidy(region_code: str, year: int, grade: Decimal) -> Decimal:
    """The subsidy of ``grade`` in the plan of ``year`` (else the latest plan before it)."""
    plan = ContributionPlan.objects.in_force(region_code=region_code, year=year)
    if plan is None:
        plan = (
            ContributionPlan.objects.filter(
                region_id__in=ancestor_codes(region_code), year__lt=year
            )
            .order_by("-year")
            .first()
        )
    if plan is None:
        raise ValidationError({"grade": f"{year}年没有缴费方案，请填写补贴金额"})
    for row in plan.grades.all():
        if row.amount == grade:
            return row.subsidy_province + row.subsidy_city + row.subsidy_county
    raise ValidationError({"grade": f"缴费档次：{plan.year}年方案没有{grade}元这一档"})


def grade_years(
    *,
    region_code: str,
    grade: Decimal,
    from_year: int,
    to_year: int,
    subsidy: Decimal | None = None,
) -> list[rules.YearCredits]:
    """ "Grade G from year Y": each year to ``to_year`` the grade and its subsidy."""
    years = []
    for year in range(from_year, to_year + 1):
        amount = subsidy if subsidy is not None else plan_subsidy(region_code, year, grade)
        years.append(rules.YearCredits(year=year, credits=((BOOKED_MONTH, grade + amount),)))
    return years


def last_contribution_year(birth_date: datetime.date, on: datetime.date) -> int:
    """The last year contributions are credited before the pension starts."""
    return rules.start_month_for(birth_date, applied_on=on).year - 1


def from_ledger(person: Person, *, on: datetime.date, grade: Decimal | None) -> EstimateInput:
    """With no history: the person's ledger as the opening balance and years, then the grade
    (chosen for the year, else the lowest of the plan) every year from next year to 60."""
    from jumin.pension.services.enrolment import grade_for, plan_for

    entries = AccountEntry.objects.filter(person=person, booked_on__lte=on)
    opening = entries.balance()
    years_paid = contribution_years_of([person.pk]).get(person.pk, 0)
    last = last_contribution_year(person.birth_date, on)
    future = []
    if last > on.year:
        if grade is None:
            grade = grade_for(person, on.year, plan_for(person.village_id, on.year))
        future = grade_years(
            region_code=person.village_id, grade=grade, from_year=on.year + 1, to_year=last
        )
    return EstimateInput(
        birth_date=person.birth_date,
        region_code=person.village_id,
        on=on,
        years=future,
        opening=opening,
        opening_years=years_paid,
        first_year=on.year + 1,
    )


def pension_estimate(data: EstimateInput) -> dict:
    """The estimate of ``data``: balance at the start, account pension, basic pension, the
    monthly total and every step with its rule."""
    start = rules.start_month_for(data.birth_date, applied_on=data.on)
    standard = standard_from(data.standard, data.region_code, start)
    errors = rules.history_errors(
        years=data.years,
        rates=[(f"rates.{year}", value) for year, value in (data.rates or {}).items()]
        + ([("rate", data.rate)] if data.rate is not None else []),
    )
    if errors:
        raise ValidationError({"history": errors})
    calculation, projection, start = rules.estimate(
        birth_date=data.birth_date,
        opening=data.opening,
        opening_years=data.opening_years,
        years=data.years,
        rate_of=rate_lookup(data.region_code, rates=data.rates, rate=data.rate, mode=data.mode),
        standard=standard,
        first_year=data.first_year,
        local_start=standard.local_start,
        not_before=data.on,
    )
    return {
        "start_month": start,
        "age": rules.age_on(data.birth_date, start),
        "balance_at_start": calculation.balance,
        "balance_before_start": projection.balance,
        "divisor": calculation.divisor,
        "contribution_years": calculation.contribution_years,
        "account_pension": calculation.account_pension,
        "basic_pension": calculation.basic_pension,
        "monthly_total": calculation.monthly_total,
        "steps": [step.as_dict() for step in calculation.steps],
        "years": [step.as_dict() for step in projection.steps],
    }


def grade_comparison(
    *,
    region_code: str,
    birth_date: datetime.date,
    on: datetime.date,
    from_year: int,
    opening: Decimal = ZERO,
    opening_years: int = 0,
) -> list[dict]:
    """Every grade of the plan in force side by side: what each pays at 60."""
    plan = ContributionPlan.objects.in_force(region_code=region_code, year=from_year)
    if plan is None:
        raise ValidationError({"from_year": f"{from_year}年没有缴费方案"})
    last = last_contribution_year(birth_date, on)
    rows = []
    for grade in sorted(plan.grades.all(), key=lambda g: g.amount):
        years = grade_years(
            region_code=region_code, grade=grade.amount, from_year=from_year, to_year=last
        )
        result = pension_estimate(
            EstimateInput(
                birth_date=birth_date,
                region_code=region_code,
                on=on,
                years=years,
                opening=opening,
                opening_years=opening_years,
                first_year=from_year,
            )
        )
        rows.append({"grade": grade.amount, **result})
    return rows

"""Pure rules of the resident pension: plan validation, subsidies, government-paid groups.

Inputs are plain values or any objects with the named attributes (model rows or the
dataclasses below), so these functions need no database.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jumin.core.money import round_fen
from jumin.people.rules import age_on


@dataclass(frozen=True)
class PlanParameters:
    collective_subsidy_limit: Decimal
    lowest_grade_subsidy_floor: Decimal
    high_grade_threshold: Decimal
    high_grade_subsidy_floor: Decimal
    # The plan's eligibility numbers; None = not checked (callers that only validate grades
    # and subsidies leave them out).
    minimum_age: int | None = None
    government_paid_cutoff: datetime.date | None = None


@dataclass(frozen=True)
class Grade:
    amount: Decimal
    subsidy_province: Decimal
    subsidy_city: Decimal
    subsidy_county: Decimal


@dataclass(frozen=True)
class PaidRule:
    kind: str
    detail: str
    precedence: int
    amount_rule: str = "full_minimum"
    amount: Decimal | None = None


@dataclass(frozen=True)
class Status:
    kind: str
    detail: str = ""


def subsidy_total(grade) -> Decimal:
    return grade.subsidy_province + grade.subsidy_city + grade.subsidy_county


def plan_errors(
    params, grades: Sequence, paid_rules: Sequence | None = None, *, year: int | None = None
) -> list[str]:
    """Every problem of a plan, in Chinese, naming the field, the grade row or the
    government-paid rule row (1-based). ``paid_rules`` and ``year`` are optional: without
    them only the grades, subsidies and calendar are checked."""
    errors = _calendar_errors(params, year)
    if paid_rules is not None:
        errors += paid_rule_errors(paid_rules)
    if not grades:
        return ["缴费档次：至少要有一个档次", *errors]
    errors = _grade_errors(params, grades) + errors
    return errors


def _grade_errors(params, grades: Sequence) -> list[str]:
    errors = []
    for row, grade in enumerate(grades, start=1):
        if grade.amount <= 0:
            errors.append(f"第{row}行档次：金额必须大于0")
        if min(grade.subsidy_province, grade.subsidy_city, grade.subsidy_county) < 0:
            errors.append(f"第{row}行档次（{grade.amount}元）：补贴不能为负数")
        if subsidy_total(grade) <= 0:
            errors.append(f"第{row}行档次（{grade.amount}元）：缺少缴费补贴")
        if row > 1 and grade.amount <= grades[row - 2].amount:
            errors.append(f"第{row}行档次（{grade.amount}元）：档次须从低到高排列且不能重复")
        if grade.amount >= params.high_grade_threshold:
            floor = params.high_grade_subsidy_floor
            if subsidy_total(grade) < floor:
                errors.append(
                    f"第{row}行档次（{grade.amount}元）：{params.high_grade_threshold}元及以上档次"
                    f"补贴合计不得低于{floor}元"
                )
    lowest = min(grades, key=lambda grade: grade.amount)
    if subsidy_total(lowest) < params.lowest_grade_subsidy_floor:
        errors.append(
            f"最低档（{lowest.amount}元）：补贴合计不得低于{params.lowest_grade_subsidy_floor}元"
        )
    top = max(grade.amount for grade in grades)
    if params.collective_subsidy_limit < 0:
        errors.append("集体补助上限：不能为负数")
    elif params.collective_subsidy_limit > top:
        errors.append(f"集体补助上限：不得超过最高档次{top}元")
    return errors


def _calendar_errors(params, year: int | None) -> list[str]:
    """Minimum age and the government-paid cut-off date (the monthly cash calendar is
    collection's, ``collection.rules.calendar_errors``)."""
    errors = []
    age = getattr(params, "minimum_age", None)
    if age is not None and not 1 <= age <= 99:
        errors.append("最低参保年龄：应在1至99周岁之间")
    cutoff = getattr(params, "government_paid_cutoff", None)
    if cutoff is not None and year is not None and cutoff.year not in (year - 1, year):
        errors.append(f"代缴认定截止日：应在{year - 1}年或{year}年内")
    return errors


def paid_rule_errors(paid_rules: Sequence) -> list[str]:
    """Problems of the government-paid rules (政府代缴), naming the row (1-based): a fixed
    amount needs an amount above 0, the full-minimum rule takes none, precedences are
    unique positive numbers, and a group (kind and detail) appears once."""
    errors = []
    precedences: dict[int, int] = {}
    groups: dict[tuple[str, str], int] = {}
    for row, rule in enumerate(paid_rules, start=1):
        name = f"第{row}行代缴规则"
        if rule.amount_rule == "fixed":
            if rule.amount is None:
                errors.append(f"{name}：代缴标准为固定金额时必须填写代缴金额")
            elif rule.amount <= 0:
                errors.append(f"{name}：代缴金额必须大于0")
        elif rule.amount_rule == "full_minimum":
            if rule.amount is not None:
                errors.append(f"{name}：代缴标准为最低档全额时不填代缴金额")
        else:
            errors.append(f"{name}：代缴标准只能是最低档全额或固定金额")
        if rule.precedence is None or rule.precedence < 1:
            errors.append(f"{name}：优先顺序必须是正整数")
        elif rule.precedence in precedences:
            errors.append(
                f"{name}：优先顺序{rule.precedence}与第{precedences[rule.precedence]}行重复"
            )
        else:
            precedences[rule.precedence] = row
        group = (rule.kind, rule.detail or "")
        if group in groups:
            errors.append(f"{name}：类别和等级/类型与第{groups[group]}行重复")
        else:
            groups[group] = row
    return errors


def subsidy_for(grades: Iterable, amount: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """The (province, city, county) subsidy of the grade ``amount``; ValueError if no such grade."""
    for grade in grades:
        if grade.amount == amount:
            return grade.subsidy_province, grade.subsidy_city, grade.subsidy_county
    raise ValueError(f"缴费档次：没有{amount}元这一档")


def rule_matches(rule, status) -> bool:
    return rule.kind == status.kind and (not rule.detail or rule.detail == status.detail)


def government_paid_for(rules: Iterable, statuses_in_force: Iterable):
    """The rule of highest precedence (lowest number) matching any status in force, or None.

    A rule with an empty ``detail`` matches every detail of its kind.
    """
    statuses = list(statuses_in_force)
    matching = [rule for rule in rules if any(rule_matches(rule, s) for s in statuses)]
    return min(matching, key=lambda rule: rule.precedence, default=None)


def government_paid_amount(rule, grades: Iterable) -> Decimal:
    """How much the government pays for a person under ``rule``."""
    if rule.amount_rule == "fixed":
        return rule.amount
    return min(grade.amount for grade in grades)


# --------------------------------------------------------------------------- enrolment


def enrolment_refusals(
    *,
    birth_date: datetime.date,
    on: datetime.date,
    death_date: datetime.date | None,
    full_time_student: bool,
    in_employee_scheme: bool,
    already_enrolled: bool,
    minimum_age: int,
) -> list[str]:
    """Why a person may not enrol on ``on`` (POLICY §2.1), in Chinese; empty if eligible.

    ``minimum_age`` (16 under 国发〔2014〕8号) is passed in by the caller from data."""
    refusals = []
    if death_date is not None and death_date <= on:
        refusals.append("已死亡，不能参保")
    if age_on(birth_date, on) < minimum_age:
        refusals.append(f"未满{minimum_age}周岁，不能参保")
    if full_time_student:
        refusals.append("在校学生不参加城乡居保")
    if in_employee_scheme:
        refusals.append("已参加职工基本养老保险，不能同时参加城乡居保")
    if already_enrolled:
        refusals.append("已参加城乡居保，不能重复登记")
    return refusals


# --------------------------------------------------------------------------- benefits
# The basic pension of a month (POLICY §2.5). ``standard`` is any object with the fields of
# ``models.BenefitStandard``; the estimator, the award and the payroll all call these, so an
# estimate and an award never disagree.


@dataclass(frozen=True)
class Step:
    """One line of a calculation sheet: what was computed, by which rule, with which numbers."""

    label: str
    rule: str
    amount: Decimal

    def as_dict(self) -> dict:
        return {"label": self.label, "rule": self.rule, "amount": str(self.amount)}


def long_contribution_extra(standard, contribution_years: int) -> Decimal:
    """长缴多得: ``extra_per_year`` a month for each year beyond ``extra_after_years``."""
    beyond = max(0, contribution_years - standard.extra_after_years)
    return round_fen(standard.extra_per_year * beyond)


def basic_pension(standard, contribution_years: int) -> Decimal:
    """Central minimum + local top-up + long-contribution extra, a month, in yuan."""
    return round_fen(
        standard.central_minimum
        + standard.local_top_up
        + long_contribution_extra(standard, contribution_years)
    )


def account_pension(balance: Decimal, divisor: int) -> Decimal:
    """Balance ÷ 计发月数, rounded half-up to the fen (EXAMPLES E1: 9 342.00 / 139 = 67.21)."""
    if balance <= 0:
        return Decimal("0.00")
    return round_fen(balance / Decimal(divisor))


# --------------------------------------------------------------------------- interest
# Year-end interest on the personal account (POLICY §2.3). ``credits`` are (month, amount)
# pairs of the money credited during the year (month 1–12 of booking). ``months`` < 12 is a
# part year: the interest up to the benefit start, credited at the award.


def interest_weight(*, mode: str, month: int, months: int = 12) -> int:
    """How many twelfths of the year a credit booked in ``month`` earns over ``months``
    months: mode A none, mode B all (if booked within the months), mode C those after the
    month of booking."""
    if mode == "A":
        return 0
    if mode == "B":
        return months if month <= months else 0
    if mode == "C":
        return max(0, months - month)
    raise ValueError(f"unknown crediting mode {mode!r}")


def year_interest(
    *,
    opening: Decimal,
    credits: Iterable[tuple[int, Decimal]],
    rate: Decimal,
    mode: str,
    months: int = 12,
) -> Decimal:
    """The interest of one year (or of its first ``months`` months), half-up to the fen.

    - Mode A: the opening balance earns the rate; credits of the year earn nothing.
    - Mode B: credits of the year earn as if booked at the start of the year.
    - Mode C: a credit booked in month m earns for the months after m (12 − m of 12).

    Exact: the money-months are summed first and divided by 12 last, so the only rounding
    is the final one to the fen (the year-end SQL computes the same in whole fen).
    """
    if not 0 <= months <= 12:
        raise ValueError("months must be 0–12")
    if mode not in ("A", "B", "C"):
        raise ValueError(f"unknown crediting mode {mode!r}")
    money_months = opening * months + sum(
        (
            amount * interest_weight(mode=mode, month=month, months=months)
            for month, amount in credits
        ),
        Decimal(0),
    )
    return round_fen(money_months * rate / Decimal(12))


# --------------------------------------------------------------------------- working days


def add_working_days(
    start: datetime.date, days: int, holidays=frozenset(), workdays=frozenset()
) -> datetime.date:
    """The date ``days`` working days after ``start``: weekends and ``holidays`` skipped, a
    weekend in ``workdays`` (调休上班) counted: the deadline of a 15-working-day step
    (POLICY §2.7)."""
    current, left = start, days
    while left > 0:
        current += datetime.timedelta(days=1)
        working = current in workdays or (current.weekday() < 5 and current not in holidays)
        if working:
            left -= 1
    return current


# --------------------------------------------------------------------------- scheme link
# 制度衔接 (POLICY §2.7): decided at the employee retirement age from the employee years.


def employee_minimum_years(on: datetime.date) -> Decimal:
    """The employee scheme's minimum contribution years on ``on``: 15, rising by half a year
    each year from 2030 to 20 (the 2024 retirement-age decision, POLICY §2.7)."""
    if on.year < 2030:
        return Decimal(15)
    return min(Decimal(20), Decimal(15) + Decimal("0.5") * (on.year - 2029))


REFUNDED_SOURCES = ("personal", "collective", "back_payment", "government_paid")
SUBSIDY_SOURCES = ("subsidy_province", "subsidy_city", "subsidy_county")


@dataclass(frozen=True)
class LinkSplit:
    outcome: str  # "to_employee" or "to_resident"
    resident_years: int  # the resident years after the link (employee years add below 15)
    refund_by_source: dict  # source → refunded to the person (overlap months)
    subsidy_by_source: dict  # source → subsidy reversed (overlap months)
    steps: list


def link_split(
    *,
    employee_years: int,
    required_years: int,
    resident_years: list[int],
    year_credits: dict,
    overlap_months: dict,
) -> LinkSplit:
    """Which way the link goes and what the months paid in both schemes give back.

    ``resident_years``: the years with resident contributions; ``year_credits``: year →
    {source: amount credited for that year}; ``overlap_months``: year → months (1–12) paid in
    both schemes. Those months count only as employee time: for each overlapping year the
    personal and collective money (and back-payments, government-paid) of ``months``/12 of
    the year is refunded to the person, the subsidies of those months reversed, each half-up
    to the fen; a year overlapped for all 12 months stops counting as a resident year.
    With ``employee_years`` ≥ ``required_years`` the resident balance goes to the employee
    scheme (resident years do not convert); otherwise the employee years add to the
    resident years.
    """
    if employee_years < 0:
        raise ValueError("职保缴费年限：不能为负数")
    refund: dict = {}
    subsidy: dict = {}
    steps = []
    whole_years = set()
    for year, months in sorted(overlap_months.items()):
        months = int(months)
        if not 0 < months <= 12:
            raise ValueError(f"{year}年重复缴费月数：应在1至12之间")
        if months == 12:
            whole_years.add(int(year))
        credits = year_credits.get(int(year), {})
        for source, amount in credits.items():
            share = round_fen(Decimal(amount) * months / Decimal(12))
            if share == 0:
                continue
            if source in REFUNDED_SOURCES:
                refund[source] = refund.get(source, Decimal("0.00")) + share
            elif source in SUBSIDY_SOURCES:
                subsidy[source] = subsidy.get(source, Decimal("0.00")) + share
        steps.append(
            Step(
                f"{year}年重复缴费{months}个月",
                f"该年个人缴费和集体补助 × {months}/12 退还个人，政府补贴 × {months}/12 冲回",
                sum((Decimal(a) for a in credits.values()), Decimal(0)),
            )
        )
    counted = len([year for year in set(resident_years) if year not in whole_years])
    if employee_years >= required_years:
        outcome, years = "to_employee", counted
        steps.append(
            Step(
                "转入职工养老保险",
                f"职保缴费年限 {employee_years} ≥ {required_years}：城乡居保余额并入职保，"
                "城乡居保年限不折算",
                Decimal(employee_years),
            )
        )
    else:
        outcome, years = "to_resident", counted + employee_years
        steps.append(
            Step(
                "职保转入城乡居保",
                f"职保缴费年限 {employee_years} < {required_years}：职保个人账户并入，"
                f"年限合并 {counted} + {employee_years}",
                Decimal(years),
            )
        )
    return LinkSplit(outcome, years, refund, subsidy, steps)


# --------------------------------------------------------------------------- awards at 60
# Eligibility at 60 (POLICY §2.4) and the pension calculation (§2.5). The estimator and the
# award both end in ``pension_calculation``: one code path, so an estimate and an award for the
# same balance, years and standard never disagree.

PENSION_AGE = 60
TRANSITIONAL_AGE = 45  # over this age at the local start: pay every year, may back-pay


def sixtieth_birthday(birth_date: datetime.date) -> datetime.date:
    """The day ``age_on`` first answers 60 (29 February → 1 March in a common year)."""
    try:
        return birth_date.replace(year=birth_date.year + PENSION_AGE)
    except ValueError:
        return datetime.date(birth_date.year + PENSION_AGE, 3, 1)


def month_after(day: datetime.date) -> datetime.date:
    """The first of the month after ``day``."""
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def start_month_for(
    birth_date: datetime.date,
    *,
    applied_on: datetime.date | None = None,
    local_start: datetime.date | None = None,
    late_arrears_months: int | None = None,
) -> datetime.date:
    """待遇起始月: the month after the 60th birthday (次月), never before the month the scheme
    started locally. A late application still starts there (the months up to the application
    are paid as arrears by the payroll), but no more than ``late_arrears_months`` months before
    the application month (the local limit; ``None``: no arrears, the application month)."""
    start = month_after(sixtieth_birthday(birth_date))
    if applied_on is not None:
        earliest = first_of_month(applied_on)
        if late_arrears_months is not None:
            earliest = add_months(earliest, -late_arrears_months)
        start = max(start, earliest)
    if local_start is not None:
        start = max(start, first_of_month(local_start))
    return start


@dataclass(frozen=True)
class Eligibility:
    """The answer of ``award_eligibility``: the kind of award, the years counted and required,
    how many are missing (到龄欠费, may back-pay) and the refusals (empty: may be awarded)."""

    kind: str  # AwardKind value: normal, basic_only, transitional
    contribution_years: int  # counted (capped at the requirement for the transitional)
    required_years: int
    missing_years: int
    refusals: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.refusals and self.missing_years == 0

    @property
    def short_of_years(self) -> bool:
        return not self.refusals and self.missing_years > 0


def award_eligibility(
    *,
    birth_date: datetime.date,
    on: datetime.date,
    death_date: datetime.date | None,
    local_start: datetime.date | None,
    required_years: int,
    contribution_years: int,
    holds_award: bool = False,
    other_pension: bool = False,
    enrolled: bool = True,
    applied_on: datetime.date | None = None,
) -> Eligibility:
    """Who may draw the resident pension from the month starting ``on`` (POLICY §2.4).

    - already 60 at the local start: basic pension only, no contributions needed;
    - over 45 at the local start: every year from the start's year to the year of the 60th
      birthday must be paid or back-paid; the years counted are capped at ``required_years``;
    - otherwise ``required_years`` (15) years;
    refused: under 60 on ``on``, dead, already holding an award, drawing another pension (the
    employee scheme's list), not enrolled. Missing years are not a refusal: the person is
    short of years (到龄欠费) and may back-pay them."""
    refusals = []
    if death_date is not None and death_date <= on:
        refusals.append("已死亡，不能核定待遇")
    # an application is taken from the month before the 60th birthday's month
    too_early = applied_on is not None and sixtieth_birthday(birth_date) >= month_after(
        month_after(applied_on)
    )
    if on < month_after(sixtieth_birthday(birth_date)) or too_early:
        refusals.append(f"未满{PENSION_AGE}周岁，不能核定待遇")
    if holds_award:
        refusals.append("已有养老金待遇（已申请或正在领取），不能重复核定")
    if other_pension:
        refusals.append("已参加职工基本养老保险（享受其他养老待遇），不能领取城乡居保待遇")
    if not enrolled:
        refusals.append("未参加城乡居保（或参保登记未通过、已注销），不能核定待遇")
    kind = "normal"
    required = required_years
    counted = contribution_years
    if local_start is not None:
        age_at_start = age_on(birth_date, local_start)
        if age_at_start >= PENSION_AGE:
            kind, required, counted = "basic_only", 0, 0
        elif age_at_start > TRANSITIONAL_AGE:
            kind = "transitional"
            years_due = sixtieth_birthday(birth_date).year - local_start.year + 1
            required = max(0, min(required_years, years_due))
            counted = min(contribution_years, required_years)
    return Eligibility(
        kind=kind,
        contribution_years=counted,
        required_years=required,
        missing_years=max(0, required - counted),
        refusals=tuple(refusals),
    )


@dataclass(frozen=True)
class Calculation:
    """A pension computed to the fen, with the steps of its calculation sheet."""

    balance: Decimal  # at the start, part-year interest included
    divisor: int
    account_pension: Decimal
    basic_pension: Decimal
    monthly_total: Decimal
    contribution_years: int
    steps: tuple[Step, ...]
    part_year_interest: Decimal = Decimal("0.00")  # credited at the award

    def explanation(self) -> list[dict]:
        return [step.as_dict() for step in self.steps]


def pension_calculation(
    *,
    ledger_balance: Decimal,
    part_year_interest: Decimal,
    interest_months: int,
    age: int,
    standard,
    contribution_years: int,
    basic_only: bool = False,
) -> Calculation:
    """The monthly pension from the balance before the start, the interest of the start's
    year up to the month before the start, the age at the start and the standard in force in
    the start month (any object with ``BenefitStandard``'s fields and ``divisor(age)``)."""
    balance = round_fen(ledger_balance + part_year_interest)
    divisor = standard.divisor(age)
    account = Decimal("0.00") if basic_only else account_pension(balance, divisor)
    extra = long_contribution_extra(standard, contribution_years)
    basic = basic_pension(standard, contribution_years)
    steps = [
        Step(
            "个人账户记账余额",
            "截至待遇起始月前已记入个人账户的各项合计",
            round_fen(ledger_balance),
        ),
        Step(
            "当年计息",
            f"当年1月至起始月前{interest_months}个月的利息（按当年记账利率和计息方式）",
            round_fen(part_year_interest),
        ),
        Step("核定时个人账户余额", "记账余额 + 当年计息", balance),
        Step("计发月数", f"{age}周岁对应的计发月数", Decimal(divisor)),
    ]
    if basic_only:
        steps.append(Step("个人账户养老金", "制度实施时已满60周岁，只发基础养老金", account))
    else:
        steps.append(
            Step(
                "个人账户养老金",
                f"个人账户余额 {balance} ÷ 计发月数 {divisor}，四舍五入到分",
                account,
            )
        )
    steps += [
        Step("中央基础养老金最低标准", "待遇起始月执行的标准", round_fen(standard.central_minimum)),
        Step("地方加发基础养老金", "待遇起始月执行的标准", round_fen(standard.local_top_up)),
        Step(
            "长缴多得",
            f"缴费{contribution_years}年，超过{standard.extra_after_years}年的部分"
            f"每年每月加发{round_fen(standard.extra_per_year)}元",
            extra,
        ),
        Step("基础养老金", "中央最低标准 + 地方加发 + 长缴多得", basic),
        Step("月养老金合计", "基础养老金 + 个人账户养老金", round_fen(basic + account)),
    ]
    return Calculation(
        balance=balance,
        divisor=divisor,
        account_pension=account,
        basic_pension=basic,
        monthly_total=round_fen(basic + account),
        contribution_years=contribution_years,
        steps=tuple(steps),
        part_year_interest=round_fen(part_year_interest),
    )


# --------------------------------------------------------------------------- estimator
# 养老金测算: project a contribution history to 60, year by year with ``year_interest``, then
# ``pension_calculation``. Credits of a year are (month booked, amount) pairs.


@dataclass(frozen=True)
class YearCredits:
    """What is credited to the account in one year (all amounts in yuan).

    ``counts`` says whether the year itself is a contribution year (a personal or
    government-paid contribution for it); ``extra_years`` are further years the credits
    stand for (back-paid years, years brought in from another county or the employee
    scheme)."""

    year: int
    credits: tuple[tuple[int, Decimal], ...] = ()
    counts: bool = True
    extra_years: int = 0

    @property
    def total(self) -> Decimal:
        return sum((amount for _month, amount in self.credits), Decimal("0.00"))


@dataclass(frozen=True)
class Projection:
    balance: Decimal  # at 31 December of the last year projected
    contribution_years: int
    steps: tuple[Step, ...]


def project_balance(
    *,
    opening: Decimal,
    opening_years: int,
    years: Sequence[YearCredits],
    rate_of,
    first_year: int | None = None,
    last_year: int,
) -> Projection:
    """The balance at 31 December of ``last_year``: from ``opening`` (the balance at 1 January
    of ``first_year``) each year earns ``year_interest`` at ``rate_of(year)`` → (rate, mode),
    then its credits are added. ``opening_years`` are contribution years already counted."""
    by_year = {entry.year: entry for entry in years}
    start = first_year if first_year is not None else min(by_year, default=last_year)
    balance = round_fen(opening)
    counted = opening_years
    steps = []
    for year in range(start, last_year + 1):
        entry = by_year.get(year, YearCredits(year=year, counts=False))
        rate, mode = rate_of(year)
        interest = year_interest(opening=balance, credits=entry.credits, rate=rate, mode=mode)
        balance = round_fen(balance + entry.total + interest)
        counted += int(entry.counts) + entry.extra_years
        steps.append(
            Step(
                f"{year}年",
                f"记账{round_fen(entry.total)}元，利息{interest}元"
                f"（利率{rate * 100:.2f}%，方式{mode}），年末余额",
                balance,
            )
        )
    return Projection(balance=balance, contribution_years=counted, steps=tuple(steps))


def estimate(
    *,
    birth_date: datetime.date,
    opening: Decimal,
    opening_years: int,
    years: Sequence[YearCredits],
    rate_of,
    standard,
    first_year: int | None = None,
    local_start: datetime.date | None = None,
    not_before: datetime.date | None = None,
) -> tuple[Calculation, Projection, datetime.date]:
    """What the history pays at 60: (the calculation, the projection, the start month).

    The history runs to the year before the start month; the start year's interest up to the
    start month is added as at the award (``year_interest`` with ``months``). ``not_before``:
    for someone already past 60, the month the pension would start at the earliest (the
    application's month, as at the award)."""
    start = start_month_for(birth_date, applied_on=not_before, local_start=local_start)
    projection = project_balance(
        opening=opening,
        opening_years=opening_years,
        years=[entry for entry in years if entry.year < start.year],
        rate_of=rate_of,
        first_year=first_year,
        last_year=start.year - 1,
    )
    months = start.month - 1
    rate, mode = rate_of(start.year)
    this_year = [entry for entry in years if entry.year == start.year]
    credits = this_year[0].credits if this_year else ()
    part = year_interest(
        opening=projection.balance, credits=credits, rate=rate, mode=mode, months=months
    )
    balance_before = round_fen(projection.balance + sum((a for _m, a in credits), Decimal(0)))
    counted = projection.contribution_years + sum(int(e.counts) + e.extra_years for e in this_year)
    if local_start is not None and age_on(birth_date, local_start) > TRANSITIONAL_AGE:
        counted = min(counted, standard.required_years)
    basic_only = local_start is not None and age_on(birth_date, local_start) >= PENSION_AGE
    calculation = pension_calculation(
        ledger_balance=balance_before,
        part_year_interest=part,
        interest_months=months,
        age=age_on(birth_date, start),
        standard=standard,
        contribution_years=0 if basic_only else counted,
        basic_only=basic_only,
    )
    return calculation, projection, start


def history_errors(
    *, years: Sequence[YearCredits], rates: Iterable[tuple[str, Decimal]]
) -> list[str]:
    """Bad input of an estimate, naming the field: negative amounts, a rate outside 0–100 %."""
    errors = []
    for entry in years:
        for month, amount in entry.credits:
            if amount < 0:
                errors.append(f"{entry.year}年：金额不能为负数（{amount}）")
            if not 1 <= month <= 12:
                errors.append(f"{entry.year}年：记账月份应为1至12")
    for field, rate in rates:
        if rate < 0 or rate > 1:
            errors.append(f"{field}：记账利率应在0至100%之间")
    return errors


# --------------------------------------------------------------------------- payroll
# Months are dates on the first of the month. The payroll, the certification cycle and the
# recovery after a death (POLICY §2.5–2.6) use these.


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    months = []
    month = first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def monthly_payment(standard, *, contribution_years: int, account_pension: Decimal) -> Decimal:
    """What a month pays: the basic pension under ``standard`` plus the account pension."""
    return basic_pension(standard, contribution_years) + account_pension


def certification_due(certified_on: datetime.date, cycle_months: int) -> datetime.date:
    """The day the next certification is due: ``cycle_months`` after the last one."""
    return add_months(certified_on, cycle_months)


def first_unpaid_month_after_death(death_date: datetime.date) -> datetime.date:
    """Payment stops from the month after the death (POLICY §2.6)."""
    return add_months(first_of_month(death_date), 1)


@dataclass(frozen=True)
class RecoveryPlan:
    """How money paid after a death is recovered (POLICY §2.6, EXAMPLES E8), in order:
    the account part back into the account, the rest set off against the remaining balance
    (the inheritance), then against the funeral grant, the rest from the family."""

    overpaid: Decimal
    account_return: Decimal
    inheritance_set_off: Decimal
    funeral_grant_set_off: Decimal
    from_family: Decimal
    inherited: Decimal  # what the heir receives
    funeral_grant_paid: Decimal  # what is left of the grant to pay out

    def steps(self) -> list[Step]:
        return [
            Step("多发金额", "死亡次月起已发的待遇", self.overpaid),
            Step("退回个人账户", "多发的个人账户养老金退回账户", self.account_return),
            Step("从继承额抵扣", "其余部分先从账户余额（继承额）中抵扣", self.inheritance_set_off),
            Step(
                "从丧葬补助金抵扣", "余额不足的部分从丧葬补助金中抵扣", self.funeral_grant_set_off
            ),
            Step("由家属退回", "仍不足的部分向家属追回", self.from_family),
            Step("继承人领取", "抵扣后的账户余额", self.inherited),
            Step("实发丧葬补助金", "抵扣后的丧葬补助金", self.funeral_grant_paid),
        ]


def recovery_plan(
    *,
    overpaid: Decimal,
    account_part: Decimal,
    balance_before_return: Decimal,
    funeral_grant: Decimal,
) -> RecoveryPlan:
    """E8: 486.00 overpaid of which 160.00 account part, balance 4 840.00 before the return:
    160.00 back (5 000.00), 326.00 set off, the heir gets 4 674.00, nothing from the family.
    Every fen of ``overpaid`` is recovered by exactly one of the three ways."""
    if overpaid < 0 or account_part < 0 or account_part > overpaid:
        raise ValueError("overpaid ≥ account part ≥ 0")
    rest = overpaid - account_part
    balance = max(Decimal("0.00"), balance_before_return + account_part)
    from_balance = min(rest, balance)
    rest -= from_balance
    from_grant = min(rest, max(Decimal("0.00"), funeral_grant))
    rest -= from_grant
    return RecoveryPlan(
        overpaid=overpaid,
        account_return=account_part,
        inheritance_set_off=from_balance,
        funeral_grant_set_off=from_grant,
        from_family=rest,
        inherited=balance - from_balance,
        funeral_grant_paid=max(Decimal("0.00"), funeral_grant) - from_grant,
    )

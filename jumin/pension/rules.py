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
    """
    if not 0 <= months <= 12:
        raise ValueError("months must be 0–12")
    year_share = Decimal(months) / Decimal(12)
    earning = opening * year_share
    if mode == "B":
        earning += (
            sum((amount for month, amount in credits if month <= months), Decimal(0)) * year_share
        )
    elif mode == "C":
        earning += sum(
            (amount * Decimal(max(0, months - month)) / Decimal(12) for month, amount in credits),
            Decimal(0),
        )
    elif mode != "A":
        raise ValueError(f"unknown crediting mode {mode!r}")
    return round_fen(earning * rate)


# --------------------------------------------------------------------------- payroll
# Months are dates on the first of the month. The payroll, the certification cycle and the
# recovery after a death (POLICY §2.5–2.6) use these.


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


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

"""Pure rules of the resident medical insurance (no database).

Inputs are plain values or any objects with the named attributes (model rows or the
dataclasses below).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jumin.core.money import round_fen

ZERO = Decimal("0.00")

# =========================================================================== enrolment (H4)


@dataclass(frozen=True)
class WaitingParameters:
    """POLICY §3.2 as data (a ``Financing`` row has these attributes)."""

    window_start: datetime.date
    window_end: datetime.date
    waiting_months: int = 3
    extra_from_second_break_year: bool = True
    newborn_days: int = 90


@dataclass(frozen=True)
class Rule:
    kind: str
    detail: str
    precedence: int
    mode: str  # full | fixed | share
    amount: Decimal | None = None
    share: Decimal | None = None


@dataclass(frozen=True)
class Status:
    kind: str
    detail: str = ""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def in_window(params, day: datetime.date) -> bool:
    return params.window_start <= day <= params.window_end


def waiting_period(
    params,
    *,
    coverage_year: int,
    enrolled_on: datetime.date,
    paid_on: datetime.date,
    break_years: int = 0,
    back_paid_years: int = 0,
    birth_date: datetime.date | None = None,
) -> tuple[datetime.date, str]:
    """(covered_from, the reason in Chinese) for an enrolment of ``coverage_year`` made on
    ``enrolled_on`` whose premium was paid on ``paid_on`` (POLICY §3.2, EXAMPLES E9). In the
    window means paid in the window (参保缴费); the newborn's 90 days count to the enrolment.

    - A newborn enrolled within ``newborn_days`` of birth: covered from birth (not before
      1 January of the coverage year).
    - Enrolled in the window with no break: covered from 1 January of the coverage year.
    - Outside the window, or after a break: the fixed ``waiting_months`` after the month of
      payment, plus the variable months: one per break year beyond the first
      (``extra_from_second_break_year``, the default) or per break year (switch off), less
      one per year paid back (缴费修复), never below zero; never before 1 January.

    ``break_years``: the coverage years without cover just before this one, counted only for
    a person insured before (a first enrolment is no break)."""
    january = datetime.date(coverage_year, 1, 1)
    if birth_date is not None and birth_date <= enrolled_on:
        if (enrolled_on - birth_date).days <= params.newborn_days:
            start = max(birth_date, january)
            return start, f"新生儿出生{params.newborn_days}天内参保，自出生之日起享受待遇"
    window = in_window(params, paid_on)
    if window and break_years == 0:
        return january, "集中参保期内参保缴费，自参保年度1月1日起享受待遇"
    counted = break_years - 1 if params.extra_from_second_break_year else break_years
    variable = max(0, counted)
    repaired = min(variable, max(0, back_paid_years))
    variable -= repaired
    months = params.waiting_months + variable
    start = max(add_months(paid_on, months), january)
    why = "集中参保期外参保" if not window else "断保后参保"
    parts = [f"{why}：固定等待期{params.waiting_months}个月"]
    if break_years:
        parts.append(f"断保{break_years}年，变动等待期{max(0, counted)}个月")
    if repaired:
        parts.append(f"补缴{repaired}年减{repaired}个月")
    parts.append(f"自{paid_on.year}年{paid_on.month}月缴费后第{months}个月起享受待遇")
    return start, "；".join(parts)


def break_years_before(coverage_year: int, covered_years: Iterable[int]) -> int:
    """How many coverage years without cover lie just before ``coverage_year``; 0 when the
    person had no cover before at all (a first enrolment is no break)."""
    earlier = {year for year in covered_years if year < coverage_year}
    if not earlier:
        return 0
    return coverage_year - 1 - max(earlier)


def rule_matches(rule, status) -> bool:
    return rule.kind == status.kind and (not rule.detail or rule.detail == status.detail)


def assistance_rule_for(rules: Iterable, statuses_in_force: Iterable):
    """The assistance rule of highest precedence (lowest number) matching any status."""
    statuses = list(statuses_in_force)
    matching = [rule for rule in rules if any(rule_matches(rule, s) for s in statuses)]
    return min(matching, key=lambda rule: rule.precedence, default=None)


def assistance_amount(rule, premium: Decimal) -> Decimal:
    """What medical assistance pays of ``premium`` under ``rule`` (never more than it)."""
    if rule is None:
        return ZERO
    if rule.mode == "full":
        paid = premium
    elif rule.mode == "fixed":
        paid = rule.amount or ZERO
    else:
        paid = round_fen(premium * (rule.share or ZERO))
    return min(max(paid, ZERO), premium)


def financing_errors(params, rules: Sequence = ()) -> list[str]:
    """Every problem of a financing row and its assistance rules, in Chinese, naming the field
    or the rule row (1-based)."""
    errors = []
    if params.premium is None or params.premium < 0:
        errors.append("个人缴费标准：不能为负数")
    if params.subsidy is None or params.subsidy < 0:
        errors.append("财政补助标准：不能为负数")
    if params.window_start and params.window_end and params.window_end < params.window_start:
        errors.append("集中参保期：结束日期不能早于开始日期")
    year = getattr(params, "coverage_year", None)
    if year and params.window_end and params.window_end.year > year:
        errors.append(f"集中参保期：应在{year}年底之前结束")
    if not 0 <= (params.waiting_months or 0) <= 12:
        errors.append("固定等待期：应在0至12个月之间")
    precedences: dict[int, int] = {}
    groups: dict[tuple[str, str], int] = {}
    for row, rule in enumerate(rules, start=1):
        name = f"第{row}行资助规则"
        if rule.mode == "fixed":
            if rule.amount is None or rule.amount <= 0:
                errors.append(f"{name}：定额资助须填写大于0的资助金额")
        elif rule.mode == "share":
            if rule.share is None or not 0 < rule.share <= 1:
                errors.append(f"{name}：按比例资助的比例应大于0且不超过100%")
        elif rule.mode != "full":
            errors.append(f"{name}：资助方式只能是全额、定额或按比例")
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


def participation_rate(insured: int, residents: int) -> Decimal | None:
    """参保率: insured ÷ residents registered, to four places; None without residents."""
    if not residents:
        return None
    return (Decimal(insured) / Decimal(residents)).quantize(Decimal("0.0001"))

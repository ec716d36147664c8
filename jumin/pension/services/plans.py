"""Writes of the resident pension. One transaction per act, each audited."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.models import Region, RegionLevel
from jumin.core.money import MoneyError
from jumin.core.money import parse as parse_money
from jumin.pension import rules
from jumin.pension.models import ContributionGrade, ContributionPlan, GovernmentPaidRule
from jumin.pension.registry import PensionAction

DEFAULT_PLAN_FILE = Path(__file__).parent.parent / "data" / "default_plan.json"

# Eligibility; a plan file may leave them out (the model's defaults then apply, see
# ``calendar_params``). The monthly cash calendar is collection's (``CashCalendar``).
CALENDAR_FIELDS = ("minimum_age", "government_paid_cutoff")
PLAN_FIELDS = (
    "document_number",
    "collective_subsidy_limit",
    "government_paid_subsidised",
    "back_payment_subsidised",
    "lowest_grade_subsidy_floor",
    "high_grade_threshold",
    "high_grade_subsidy_floor",
    *CALENDAR_FIELDS,
)
RULE_FIELDS = ("kind", "detail", "precedence", "amount_rule", "amount")
MONEY_FIELDS = {
    "collective_subsidy_limit",
    "lowest_grade_subsidy_floor",
    "high_grade_threshold",
    "high_grade_subsidy_floor",
    "amount",
    "subsidy_province",
    "subsidy_city",
    "subsidy_county",
}


def money(name: str, value) -> Decimal:
    """An amount of a plan file (``core.money``: at most two decimals; the plan rules judge the sign)."""
    try:
        return parse_money(value, allow_negative=True)
    except MoneyError as error:
        raise ValidationError(f"{name}：{error.message}") from None


def plan_data_from_file(path: Path = DEFAULT_PLAN_FILE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def calendar_params(data: dict) -> dict:
    """The calendar fields of a plan file; a missing one takes the model's default."""
    params = {}
    for field in CALENDAR_FIELDS:
        model_field = ContributionPlan._meta.get_field(field)
        value = data.get(field, model_field.get_default())
        if field == "government_paid_cutoff" and isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value) if value else None
            except ValueError:
                raise ValidationError(f"代缴认定截止日：“{value}”不是日期") from None
        params[field] = value
    return params


def plan_parameters(params: dict) -> rules.PlanParameters:
    keys = rules.PlanParameters.__annotations__
    return rules.PlanParameters(**{key: params[key] for key in keys if key in params})


def paid_rules_from(rows) -> list[rules.PaidRule]:
    """Government-paid rules as plain values (from dicts or model rows)."""
    result = []
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda key, default=None, r=row: getattr(r, key)
        amount = get("amount", None)
        result.append(
            rules.PaidRule(
                kind=get("kind"),
                detail=get("detail", "") or "",
                precedence=get("precedence"),
                amount_rule=get("amount_rule"),
                amount=None if amount in (None, "") else money("代缴金额", amount),
            )
        )
    return result


def plan_check(*, params: dict, grades: list, paid_rules: list | None, year: int) -> None:
    """Raise one ValidationError listing every problem of the plan (see ``rules.plan_errors``)."""
    errors = rules.plan_errors(plan_parameters(params), grades, paid_rules, year=year)
    if errors:
        raise ValidationError(errors)


def _write_children(plan: ContributionPlan, grades: list, paid_rules: list | None) -> None:
    ContributionGrade.objects.bulk_create(
        ContributionGrade(plan=plan, **{k: getattr(g, k) for k in rules.Grade.__annotations__})
        for g in grades
    )
    if paid_rules is not None:
        GovernmentPaidRule.objects.bulk_create(
            GovernmentPaidRule(plan=plan, **{k: getattr(r, k) for k in RULE_FIELDS})
            for r in paid_rules
        )


def plan_seed(*, actor, year: int, region_code: str, data: dict) -> tuple[ContributionPlan, bool]:
    """Create a year's plan for a region from ``data``; if it exists already, leave it alone.

    Returns (plan, created). Safe to repeat: (year, region) is the natural key.
    """
    with transaction.atomic():
        existing = ContributionPlan.objects.filter(year=year, region_id=region_code).first()
        if existing is not None:
            return existing, False
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError(f"适用区划：没有区划代码{region_code}")
        params = {field: data[field] for field in PLAN_FIELDS if field not in CALENDAR_FIELDS}
        for field in MONEY_FIELDS & params.keys():
            params[field] = money(field, params[field])
        params.update(calendar_params(data))
        grades = [
            rules.Grade(**{key: money(key, row[key]) for key in rules.Grade.__annotations__})
            for row in data["grades"]
        ]
        paid_rules = paid_rules_from(data.get("government_paid_rules", []))
        plan_check(params=params, grades=grades, paid_rules=paid_rules, year=year)
        plan = ContributionPlan.objects.create(year=year, region=region, **params)
        _write_children(plan, grades, paid_rules)
        audit.record(
            actor=actor,
            action=PensionAction.PLAN_CREATE,
            obj=plan,
            after={**params, "year": year, "grades": [vars(grade) for grade in grades]},
        )
        return plan, True


def plan_create(
    *, actor, year: int, region_code: str, params: dict, grades: list, paid_rules: list
) -> ContributionPlan:
    """The county administrator creates a plan from scratch for a year of their own county.

    Refused (ValidationError naming the field or row) when the plan is invalid or the year
    already has a plan for that county — except that the very same plan submitted again (a
    form re-sent after a dropped connection) returns the stored one unchanged.
    """
    require(actor, "plan.manage")
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level != RegionLevel.COUNTY or not in_scope(actor, region_code):
        raise ValidationError({"region": "适用区划：只能为本县制定缴费方案"})
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度：应为2000至2100之间的年份"})
    plan_check(params=params, grades=grades, paid_rules=paid_rules, year=year)
    with transaction.atomic():
        existing = ContributionPlan.objects.filter(year=year, region_id=region_code).first()
        if existing is not None:
            wanted = {
                **{field: params[field] for field in PLAN_FIELDS},
                "grades": [vars(grade) for grade in grades],
                "government_paid_rules": [vars(rule) for rule in paid_rules],
            }
            if _comparable(plan_snapshot(existing)) == _comparable(wanted):
                return existing
            raise ValidationError(
                {"year": f"年度：{region.name}{year}年已有缴费方案，请打开该方案修改"}
            )
        plan = ContributionPlan.objects.create(
            year=year, region=region, **{field: params[field] for field in PLAN_FIELDS}
        )
        _write_children(plan, grades, paid_rules)
        audit.record(
            actor=actor,
            action=PensionAction.PLAN_CREATE,
            obj=plan,
            after=plan_snapshot(plan) | {"year": year},
        )
        return plan


def _comparable(snapshot: dict) -> str:
    def plain(value):
        if isinstance(value, Decimal):
            return str(value.quantize(Decimal("0.01")))
        return str(value)

    return json.dumps(snapshot, default=plain, sort_keys=True)


def plan_copy(*, actor, plan: ContributionPlan, year: int) -> ContributionPlan:
    """Copy a plan with its grades and government-paid rules to another year of the same
    region (typically: last year's plan as the start of this year's). Safe to repeat: an
    existing plan for that year is returned unchanged. A government-paid cut-off date moves
    by the same number of years."""
    with transaction.atomic():
        existing = ContributionPlan.objects.filter(year=year, region_id=plan.region_id).first()
        if existing is not None:
            return existing
        params = {field: getattr(plan, field) for field in PLAN_FIELDS}
        cutoff = params["government_paid_cutoff"]
        if cutoff is not None:
            shifted = cutoff.year + year - plan.year
            try:
                params["government_paid_cutoff"] = cutoff.replace(year=shifted)
            except ValueError:  # 29 February
                params["government_paid_cutoff"] = datetime.date(shifted, 2, 28)
        copy = ContributionPlan.objects.create(year=year, region_id=plan.region_id, **params)
        _write_children(copy, list(plan.grades.all()), list(plan.government_paid_rules.all()))
        audit.record(
            actor=actor,
            action=PensionAction.PLAN_COPY,
            obj=copy,
            after={**params, "year": year, "copied_from": plan.pk},
        )
        return copy


def plan_snapshot(plan: ContributionPlan) -> dict:
    return {
        **{field: getattr(plan, field) for field in PLAN_FIELDS},
        "grades": [
            {key: getattr(grade, key) for key in rules.Grade.__annotations__}
            for grade in plan.grades.all()
        ],
        "government_paid_rules": [
            {key: getattr(rule, key) for key in RULE_FIELDS}
            for rule in plan.government_paid_rules.order_by("precedence")
        ],
    }


def plan_update(
    *, actor, plan: ContributionPlan, params: dict, grades: list, paid_rules: list | None = None
) -> ContributionPlan:
    """Replace a plan's parameters, grades and (when given) its government-paid rules after
    checking them all; audited with before/after of what changed. ``paid_rules=None`` keeps
    the stored rules."""
    if paid_rules is None:
        checked_rules = paid_rules_from(plan.government_paid_rules.order_by("precedence"))
    else:
        checked_rules = paid_rules
    plan_check(params=params, grades=grades, paid_rules=checked_rules, year=plan.year)
    with transaction.atomic():
        plan = ContributionPlan.objects.select_for_update().get(pk=plan.pk)
        before = plan_snapshot(plan)
        for field in PLAN_FIELDS:
            setattr(plan, field, params[field])
        plan.save()
        plan.grades.all().delete()
        if paid_rules is not None:
            plan.government_paid_rules.all().delete()
        _write_children(plan, grades, paid_rules)
        after = plan_snapshot(plan)
        old, new = audit.changes(before, after)
        if new:
            audit.record(
                actor=actor, action=PensionAction.PLAN_UPDATE, obj=plan, before=old, after=new
            )
        return plan

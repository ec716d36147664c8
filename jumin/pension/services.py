"""Writes of the resident pension. One transaction per act, each audited."""

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from jumin.core import audit
from jumin.core.models import Region
from jumin.pension import rules
from jumin.pension.models import ContributionGrade, ContributionPlan, GovernmentPaidRule

DEFAULT_PLAN_FILE = Path(__file__).parent / "data" / "default_plan.json"

PLAN_FIELDS = (
    "document_number",
    "collective_subsidy_limit",
    "government_paid_subsidised",
    "back_payment_subsidised",
    "lowest_grade_subsidy_floor",
    "high_grade_threshold",
    "high_grade_subsidy_floor",
)
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
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"{name}：“{value}”不是金额") from None


def plan_data_from_file(path: Path = DEFAULT_PLAN_FILE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


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
        params = {field: data[field] for field in PLAN_FIELDS}
        for field in MONEY_FIELDS & params.keys():
            params[field] = money(field, params[field])
        grades = [
            rules.Grade(**{key: money(key, row[key]) for key in rules.Grade.__annotations__})
            for row in data["grades"]
        ]
        errors = rules.plan_errors(
            rules.PlanParameters(
                **{key: params[key] for key in rules.PlanParameters.__annotations__}
            ),
            grades,
        )
        if errors:
            raise ValidationError(errors)
        plan = ContributionPlan.objects.create(year=year, region=region, **params)
        ContributionGrade.objects.bulk_create(
            ContributionGrade(plan=plan, **vars(grade)) for grade in grades
        )
        GovernmentPaidRule.objects.bulk_create(
            GovernmentPaidRule(
                plan=plan,
                kind=row["kind"],
                detail=row.get("detail", ""),
                precedence=row["precedence"],
                amount_rule=row["amount_rule"],
                amount=None if row.get("amount") is None else money("代缴金额", row["amount"]),
            )
            for row in data.get("government_paid_rules", [])
        )
        audit.record(
            actor=actor,
            action="pension.plan_create",
            obj=plan,
            after={**params, "year": year, "grades": [vars(grade) for grade in grades]},
        )
        return plan, True


def plan_copy(*, actor, plan: ContributionPlan, year: int) -> ContributionPlan:
    """Copy a plan with its grades and government-paid rules to another year of the same
    region (typically: last year's plan as the start of this year's). Safe to repeat: an
    existing plan for that year is returned unchanged."""
    with transaction.atomic():
        existing = ContributionPlan.objects.filter(year=year, region_id=plan.region_id).first()
        if existing is not None:
            return existing
        params = {field: getattr(plan, field) for field in PLAN_FIELDS}
        copy = ContributionPlan.objects.create(year=year, region_id=plan.region_id, **params)
        ContributionGrade.objects.bulk_create(
            ContributionGrade(
                plan=copy,
                amount=grade.amount,
                subsidy_province=grade.subsidy_province,
                subsidy_city=grade.subsidy_city,
                subsidy_county=grade.subsidy_county,
            )
            for grade in plan.grades.all()
        )
        GovernmentPaidRule.objects.bulk_create(
            GovernmentPaidRule(
                plan=copy,
                kind=rule.kind,
                detail=rule.detail,
                precedence=rule.precedence,
                amount_rule=rule.amount_rule,
                amount=rule.amount,
            )
            for rule in plan.government_paid_rules.all()
        )
        audit.record(
            actor=actor,
            action="pension.plan_copy",
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
    }


def plan_update(*, actor, plan: ContributionPlan, params: dict, grades: list) -> ContributionPlan:
    """Replace a plan's parameters and grades after checking them; audited with before/after."""
    errors = rules.plan_errors(
        rules.PlanParameters(**{key: params[key] for key in rules.PlanParameters.__annotations__}),
        grades,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = ContributionPlan.objects.select_for_update().get(pk=plan.pk)
        before = plan_snapshot(plan)
        for field in PLAN_FIELDS:
            setattr(plan, field, params[field])
        plan.save()
        plan.grades.all().delete()
        ContributionGrade.objects.bulk_create(
            ContributionGrade(plan=plan, **{k: getattr(g, k) for k in rules.Grade.__annotations__})
            for g in grades
        )
        after = plan_snapshot(plan)
        old, new = audit.changes(before, after)
        audit.record(actor=actor, action="pension.plan_update", obj=plan, before=old, after=new)
        return plan

"""Benefit standards (待遇标准) as dated data: adding one (county administrator, audited) and
seeding the national central-minimum history from ``data/benefit_standards.json``."""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from jumin.core import audit, money
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region
from jumin.core.money import MoneyError
from jumin.pension.models import BenefitStandard
from jumin.pension.models.benefits import default_divisors
from jumin.pension.registry import PensionAction

SEED_FILE = Path(__file__).parent.parent / "data" / "benefit_standards.json"
MONEY_FIELDS = {
    "central_minimum": "中央基础养老金最低标准",
    "local_top_up": "地方加发基础养老金",
    "extra_per_year": "长缴多得（每多缴一年每月加发）",
    "funeral_grant": "丧葬补助金",
}
AUDITED = (
    "effective_from",
    "central_minimum",
    "local_top_up",
    "extra_per_year",
    "extra_after_years",
    "required_years",
    "divisors",
    "funeral_grant",
    "certification_cycle_months",
    "late_arrears_months",
    "local_start",
    "document_number",
)


def standard_snapshot(standard: BenefitStandard) -> dict:
    return {field: getattr(standard, field) for field in AUDITED}


def divisor_errors(divisors) -> list[str]:
    """A divisor table: ages (whole numbers) to positive months; age 60 must be there."""
    if not isinstance(divisors, dict) or not divisors:
        return ["计发月数：必须按年龄填写，例如 60=139"]
    errors = []
    for age, months in divisors.items():
        try:
            age_value, months_value = int(age), int(months)
        except (TypeError, ValueError):
            errors.append(f"计发月数：“{age}={months}”不是整数")
            continue
        if not 16 <= age_value <= 120:
            errors.append(f"计发月数：年龄{age_value}不在16至120之间")
        if months_value <= 0:
            errors.append(f"计发月数：{age_value}岁的计发月数必须大于0")
    if "60" not in {str(age).strip() for age in divisors}:
        errors.append("计发月数：缺少60周岁的计发月数")
    return errors


def standard_values(data: dict) -> dict:
    """The fields of a standard from plain input, checked; a ValidationError naming each
    field that is wrong (negative amounts, a divisor table without age 60, ...)."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field, label in MONEY_FIELDS.items():
        raw = data.get(field, "0")
        try:
            value = money.parse(raw, allow_negative=True)
        except MoneyError:
            errors.setdefault(field, []).append(f"{label}：“{raw}”不是金额")
            continue
        if value < 0:
            errors.setdefault(field, []).append(f"{label}：不能为负数")
        values[field] = value
    for field, label, low in (
        ("extra_after_years", "长缴多得起算年限", 0),
        ("required_years", "最低缴费年限", 1),
        ("certification_cycle_months", "资格认证周期（月）", 1),
        ("late_arrears_months", "逾期申请最多补发月数", 0),
    ):
        raw = data.get(field, {"extra_after_years": 15, "required_years": 15}.get(field, 12))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors.setdefault(field, []).append(f"{label}：“{raw}”不是整数")
            continue
        if value < low or value > 99:
            errors.setdefault(field, []).append(f"{label}：应在{low}至99之间")
        values[field] = value
    divisors = data.get("divisors") or default_divisors()
    problems = divisor_errors(divisors)
    if problems:
        errors["divisors"] = problems
    else:
        values["divisors"] = {str(int(a)): int(m) for a, m in divisors.items()}
    for field, label, required in (
        ("effective_from", "执行日期", True),
        ("local_start", "本地制度实施日期", False),
    ):
        raw = data.get(field)
        if raw in (None, ""):
            if required:
                errors.setdefault(field, []).append(f"{label}：必须填写")
            values[field] = None
            continue
        if isinstance(raw, datetime.date):
            values[field] = raw
            continue
        try:
            values[field] = datetime.date.fromisoformat(str(raw))
        except ValueError:
            errors.setdefault(field, []).append(f"{label}：“{raw}”不是日期（例如2026-01-01）")
    values["document_number"] = str(data.get("document_number") or "")[:100]
    if errors:
        raise ValidationError(errors)
    return values


def standard_create(*, acting_user, region: Region, data: dict) -> BenefitStandard:
    """Add a standard for ``region`` (in the user's scope) from a date; one per region and date."""
    require(acting_user, "benefit_standard.manage")
    require_in_scope(acting_user, region)
    values = standard_values(data)
    with transaction.atomic():
        if BenefitStandard.objects.filter(
            region=region, effective_from=values["effective_from"]
        ).exists():
            raise ValidationError(
                {"effective_from": f"执行日期：{values['effective_from']}已有本区划的待遇标准"}
            )
        standard = BenefitStandard.objects.create(region=region, **values)
        audit.record(
            actor=acting_user,
            action=PensionAction.BENEFIT_STANDARD_CREATE,
            obj=standard,
            after=standard_snapshot(standard),
        )
    return standard


def seed_data(path: Path = SEED_FILE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def standards_seed(*, actor=None, data: dict | None = None, region_code: str | None = None) -> int:
    """The rows of the seed file (the national central minimum by date) for the province
    (or ``region_code``); rows already there are kept. Returns how many were added."""
    data = data or seed_data()
    code = region_code or data["region"]
    region = Region.objects.get(pk=code)
    rows = []
    for row in data["rows"]:
        values = standard_values(
            {"local_start": data.get("local_start"), "local_top_up": "0", **row}
        )
        rows.append(BenefitStandard(region=region, **values))
    with transaction.atomic():
        existing = set(
            BenefitStandard.objects.filter(region=region).values_list("effective_from", flat=True)
        )
        new = [row for row in rows if row.effective_from not in existing]
        BenefitStandard.objects.bulk_create(new)
        if new:
            audit.record(
                actor=actor,
                action=PensionAction.BENEFIT_STANDARD_SEED,
                object_type="pension.benefitstandard",
                region_code=code,
                after={"region": code, "effective_from": [row.effective_from for row in new]},
            )
    return len(new)

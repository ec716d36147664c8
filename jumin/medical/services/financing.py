"""Writes of the financing by coverage year (筹资标准) and its assistance rules (资助参保).

``financing_seed`` adds the seeded years (``data/financing.json``, POLICY §3.1) a region lacks;
``financing_update`` changes one row and its rules after checking them whole
(``rules.financing_errors``). Both are audited in their transaction.
"""

import datetime
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region
from jumin.medical import rules
from jumin.medical.models import AssistanceRule, Financing
from jumin.medical.registry import MedicalAction

DEFAULT_FILE = Path(__file__).parent.parent / "data" / "financing.json"
FIELDS = (
    "premium",
    "subsidy",
    "window_start",
    "window_end",
    "waiting_months",
    "extra_from_second_break_year",
    "newborn_days",
    "document_number",
)
RULE_FIELDS = ("kind", "detail", "precedence", "mode", "amount", "share")


def financing_data_from_file(path: Path = DEFAULT_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"rules": f"金额或比例“{value}”不是数字"}) from None


def _rule_of(data: dict) -> rules.Rule:
    return rules.Rule(
        kind=data["kind"],
        detail=data.get("detail") or "",
        precedence=data.get("precedence"),
        mode=data.get("mode"),
        amount=_decimal(data.get("amount")),
        share=_decimal(data.get("share")),
    )


def _snapshot(financing: Financing) -> dict:
    return {
        **{name: getattr(financing, name) for name in FIELDS},
        "rules": [
            {name: getattr(rule, name) for name in RULE_FIELDS}
            for rule in financing.assistance_rules.order_by("precedence")
        ],
    }


def financing_seed(*, acting_user, region_code: str, data: dict | None = None) -> int:
    """Add the seeded coverage years the region has no row for (window: 1 September – 31
    December of the year before); a second run adds nothing. Returns how many were added.
    ``acting_user=None`` is the system (the demo, the CLI)."""
    if acting_user is not None:
        require(acting_user, "medical_financing.manage")
        require_in_scope(acting_user, region_code)
    data = data or financing_data_from_file()
    region = Region.objects.get(code=region_code)
    seeded_rules = [_rule_of(row) for row in data.get("assistance_rules", [])]
    with transaction.atomic():
        have = set(Financing.objects.filter(region=region).values_list("coverage_year", flat=True))
        added = [
            Financing(
                coverage_year=row["coverage_year"],
                region=region,
                premium=Decimal(row["premium"]),
                subsidy=Decimal(row["subsidy"]),
                window_start=datetime.date(row["coverage_year"] - 1, 9, 1),
                window_end=datetime.date(row["coverage_year"] - 1, 12, 31),
                document_number=row.get("document_number", ""),
            )
            for row in data["years"]
            if row["coverage_year"] not in have
        ]
        if not added:
            return 0
        Financing.objects.bulk_create(added)
        created = Financing.objects.filter(
            region=region, coverage_year__in=[row.coverage_year for row in added]
        )
        AssistanceRule.objects.bulk_create(
            AssistanceRule(financing=financing, **{k: getattr(r, k) for k in RULE_FIELDS})
            for financing in created
            for r in seeded_rules
        )
        audit.record(
            actor=acting_user,
            action=MedicalAction.FINANCING_SEED,
            object_type="medical.financing",
            object_id=region.code,
            object_label=f"{region.name}筹资标准",
            region_code=region.code,
            after={"years": sorted(row.coverage_year for row in added)},
        )
    return len(added)


def financing_update(*, acting_user, financing: Financing, values: dict, rule_rows: list[dict]):
    """Change a financing row and replace its assistance rules; refused whole, with every
    problem listed, when anything is wrong."""
    require(acting_user, "medical_financing.manage")
    require_in_scope(acting_user, financing.region_id)
    checked_rules = [_rule_of(row) for row in rule_rows]
    with transaction.atomic():
        financing = Financing.objects.select_for_update().get(pk=financing.pk)
        before = _snapshot(financing)
        for name in FIELDS:
            if name in values:
                setattr(financing, name, values[name])
        errors = rules.financing_errors(financing, checked_rules)
        if errors:
            raise ValidationError({"__all__": errors})
        financing.save()
        financing.assistance_rules.all().delete()
        AssistanceRule.objects.bulk_create(
            AssistanceRule(financing=financing, **{k: getattr(r, k) for k in RULE_FIELDS})
            for r in checked_rules
        )
        before, after = audit.changes(before, _snapshot(financing))
        audit.record(
            actor=acting_user,
            action=MedicalAction.FINANCING_UPDATE,
            obj=financing,
            before=before,
            after=after,
        )
    return financing


def financing_for(region_code: str, coverage_year: int) -> Financing:
    financing = Financing.objects.in_force(region_code=region_code, year=coverage_year)
    if financing is None:
        raise ValidationError(
            {"coverage_year": f"{coverage_year}年度没有适用的居民医保筹资标准，请先设置"}
        )
    return financing


def financing_copy(*, acting_user, financing: Financing, coverage_year: int) -> Financing:
    """A new coverage year for the same region with the same figures and rules, its window
    moved to the year before (the county then edits what the notice changed). Refused when
    the year exists. ``acting_user=None`` is the system (the demo)."""
    if acting_user is not None:
        require(acting_user, "medical_financing.manage")
        require_in_scope(acting_user, financing.region_id)
    shift = coverage_year - financing.coverage_year
    with transaction.atomic():
        if Financing.objects.filter(
            region_id=financing.region_id, coverage_year=coverage_year
        ).exists():
            raise ValidationError({"coverage_year": f"{coverage_year}年度的筹资标准已存在"})
        rule_rows = list(financing.assistance_rules.all())
        copy = Financing.objects.create(
            coverage_year=coverage_year,
            region_id=financing.region_id,
            **{name: getattr(financing, name) for name in FIELDS if not name.startswith("window")},
            window_start=financing.window_start.replace(year=financing.window_start.year + shift),
            window_end=financing.window_end.replace(year=financing.window_end.year + shift),
        )
        copy.document_number = f"沿用{financing.coverage_year}年度标准，待通知"
        copy.save(update_fields=["document_number"])
        AssistanceRule.objects.bulk_create(
            AssistanceRule(financing=copy, **{k: getattr(r, k) for k in RULE_FIELDS})
            for r in rule_rows
        )
        audit.record(
            actor=acting_user,
            action=MedicalAction.FINANCING_UPDATE,
            obj=copy,
            after={"copied_from": financing.coverage_year, **_snapshot(copy)},
        )
    return copy

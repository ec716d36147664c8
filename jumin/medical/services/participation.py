"""Participation targets (参合率目标) of a county's coverage year, set by the county admin.

``targets_update`` takes the whole table of a county's year — the county, its townships and
villages, each a percentage or blank (no target) — checks every row first (a rate from 0 to
100 with at most two decimals, a region of the county), refuses them all with every problem
named by region when one is wrong, and otherwise writes only the rows that change, in one
transaction with one audit entry listing each change (before → after). Sent twice, the second
finds nothing to change and records nothing.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from jumin.collection.counties import county_of
from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region
from jumin.core.parsing import InputError, parse_year
from jumin.medical.models import ParticipationTarget
from jumin.medical.registry import MedicalAction

HUNDRED = Decimal("100")


def target_regions(county: Region):
    """The county and its townships and villages, in code order (the rows of the table)."""
    return Region.objects.filter(code__startswith=county.prefix).order_by("code")


def _percent(value) -> Decimal | None:
    """``"95.5"`` → ``Decimal("0.9550")``; blank → None; ``ValueError`` when not a rate."""
    text = "" if value is None else str(value).strip().rstrip("%").strip()
    if not text:
        return None
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not percent.is_finite() or not 0 <= percent <= HUNDRED or percent != round(percent, 2):
        raise ValueError
    return (percent / HUNDRED).quantize(Decimal("0.0001"))


def targets_update(*, acting_user, region_code, coverage_year, rates: dict) -> int:
    """Set the targets of the county's ``coverage_year`` from ``rates`` (region code →
    percentage, blank for none); codes not given keep their target. Returns how many rows
    changed."""
    require(acting_user, "medical_participation.manage")
    county = county_of(region_code)
    require_in_scope(acting_user, county.code)
    try:
        coverage_year = parse_year(coverage_year, label="参保年度")
    except InputError as error:
        raise ValidationError({"coverage_year": error.message}) from None
    regions = {region.code: region for region in target_regions(county)}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, Decimal | None] = {}
    for code, value in rates.items():
        region = regions.get(code)
        if region is None:
            errors.setdefault("__all__", []).append(
                f"区划代码“{str(code)[:12]}”不是{county.name}的"
            )
            continue
        try:
            wanted[code] = _percent(value)
        except ValueError:
            errors[f"rate_{code}"] = [
                f"{region.name}：目标参保率“{str(value)[:20]}”应为0到100之间的百分数，最多两位小数"
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = dict(
            ParticipationTarget.objects.select_for_update()
            .filter(coverage_year=coverage_year, region_id__in=list(wanted))
            .values_list("region_id", "rate")
        )
        changed = {code: rate for code, rate in wanted.items() if current.get(code) != rate}
        if not changed:
            return 0
        ParticipationTarget.objects.filter(
            coverage_year=coverage_year, region_id__in=list(changed)
        ).delete()
        ParticipationTarget.objects.bulk_create(
            ParticipationTarget(coverage_year=coverage_year, region_id=code, rate=rate)
            for code, rate in changed.items()
            if rate is not None
        )
        audit.record(
            actor=acting_user,
            action=MedicalAction.PARTICIPATION_TARGETS_UPDATE,
            object_type="medical.participationtarget",
            object_id=f"{county.code}/{coverage_year}",
            object_label=f"{county.name}{coverage_year}年度参保率目标",
            region_code=county.code,
            before={code: current.get(code) for code in changed},
            after=changed,
        )
    return len(changed)

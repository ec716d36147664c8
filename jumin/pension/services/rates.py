"""Crediting rates (记账利率) as data: a county administrator enters the rate of a year for
the county or a region above it (its city, its province), with the crediting mode."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from jumin.core import audit
from jumin.core.access import require, user_county
from jumin.core.models import Region
from jumin.pension.models import CreditingMode, InterestRate, ancestor_codes
from jumin.pension.registry import PensionAction


def rate_regions(user) -> list[Region]:
    """The regions whose rate a user may enter: their county and the regions above it."""
    county = user_county(user)
    if not county:
        return []
    codes = ancestor_codes(county + "000000")
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def parse_rate_percent(value) -> Decimal:
    """ "1.5" (percent) → Decimal("0.015000"); refused below 0 %, above 100 % or finer than
    four decimals of a percent, naming the field."""
    text = str(value if value is not None else "").strip().rstrip("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"rate": f"记账利率：“{value}”不是数字（按百分比填写，如 1.5）"}
        ) from None
    if not percent.is_finite():
        raise ValidationError({"rate": "记账利率：不是数字"})
    if percent < 0:
        raise ValidationError({"rate": "记账利率：不能小于 0%"})
    if percent > 100:
        raise ValidationError({"rate": "记账利率：不能大于 100%"})
    if percent != percent.quantize(Decimal("0.0001")):
        raise ValidationError({"rate": "记账利率：最多保留4位小数（百分比）"})
    return (percent / 100).quantize(Decimal("0.000001"))


def interest_rate_save(
    *, acting_user, region_code: str, year, rate_percent, mode: str, document_number: str = ""
) -> tuple[InterestRate, bool]:
    """Enter or change the rate of ``year`` for a region (the county or above); audited with
    before and after. Returns (the rate, whether it was new). A change after the year was
    credited does not touch the ledger: the correction is ``interest_correct``, with a reason."""
    require(acting_user, "interest_rate.manage")
    if region_code not in {region.code for region in rate_regions(acting_user)}:
        raise ValidationError({"region": "适用区划：只能是本县或其上级区划"})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": f"年度：“{year}”不正确"}) from None
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": f"年度：“{year}”不正确"})
    rate = parse_rate_percent(rate_percent)
    if mode not in CreditingMode.values:
        raise ValidationError({"mode": "计息方式：只能是 A、B 或 C"})
    document_number = (document_number or "").strip()[:100]
    with transaction.atomic():
        row = (
            InterestRate.objects.select_for_update()
            .filter(region_id=region_code, year=year)
            .first()
        )
        before = None
        if row is None:
            row = InterestRate.objects.create(
                region_id=region_code,
                year=year,
                rate=rate,
                mode=mode,
                document_number=document_number,
            )
            created = True
        else:
            before = {"rate": row.rate, "mode": row.mode, "document_number": row.document_number}
            row.rate, row.mode, row.document_number = rate, mode, document_number
            row.save(update_fields=["rate", "mode", "document_number", "updated_at"])
            created = False
        audit.record(
            actor=acting_user,
            action=PensionAction.INTEREST_RATE_SAVE,
            obj=row,
            before=before,
            after={
                "region": region_code,
                "year": year,
                "rate": rate,
                "mode": mode,
                "document_number": document_number,
            },
        )
    return row, created

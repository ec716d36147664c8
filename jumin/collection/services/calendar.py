"""Writes of the monthly cash calendar (缴存与核对日历): the county administrator sets the
days of a year; one audit entry per change, none when nothing changed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.collection.models import CashCalendar
from jumin.collection.registry import CollectionAction
from jumin.collection.rules import calendar_errors
from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region, RegionLevel

FIELDS = ("deposit_day", "township_check_day", "county_check_day")


def calendar_set(
    *, acting_user, county_code: str, year: int, deposit_day, township_check_day, county_check_day
) -> tuple[CashCalendar, bool]:
    """Set the calendar of a county's year (upsert); (the row, whether anything changed)."""
    require(acting_user, "cash_calendar.set")
    county = Region.objects.filter(code=county_code, level=RegionLevel.COUNTY).first()
    if county is None:
        raise ValidationError({"county": "请选择县"})
    require_in_scope(acting_user, county.code)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度：应为2000至2100之间的年份"})
    days = dict(zip(FIELDS, (deposit_day, township_check_day, county_check_day), strict=True))
    errors = calendar_errors(*days.values())
    if errors:
        raise ValidationError({"__all__": errors})
    with transaction.atomic():
        row = CashCalendar.objects.select_for_update().filter(county=county, year=year).first()
        before = {name: getattr(row, name) for name in FIELDS} if row is not None else None
        if before == days:
            return row, False
        if row is None:
            row = CashCalendar(county=county, year=year)
        for name, value in days.items():
            setattr(row, name, value)
        row.set_by, row.set_at = acting_user, timezone.now()
        row.save()
        audit.record(
            actor=acting_user,
            action=CollectionAction.CASH_CALENDAR_SET,
            obj=row,
            object_label=f"{county.name}{year}年缴存与核对日历",
            before=before,
            after=days,
        )
    return row, True

"""The official calendar (节假日) as dated data: the holidays and make-up working days of the
whole country (seeded for 2026 by a migration) and of a county or the regions above it
(entered by a county administrator on the holidays page). ``working_days_after`` counts the
15-working-day steps of a transfer with it (``rules.add_working_days``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from jumin.core import audit
from jumin.core.access import require, user_county
from jumin.pension import rules
from jumin.pension.models import Holiday, ancestor_codes
from jumin.pension.registry import PensionAction

MAX_NAME = 40


def calendar_of(region_code: str, first: datetime.date, last: datetime.date):
    """(holidays, make-up working days) between two dates for a region: the country's and those
    of the region's county, city and province (a local entry wins over the country's)."""
    codes = ancestor_codes(region_code)
    rows = Holiday.objects.filter(
        Q(region_code="") | Q(region_code__in=codes), day__gte=first, day__lte=last
    ).values_list("region_code", "day", "workday")
    chosen: dict[datetime.date, tuple[int, bool]] = {}
    for code, day, workday in rows:
        rank = 0 if code == "" else 1  # a local entry overrides the national one
        if day not in chosen or rank > chosen[day][0]:
            chosen[day] = (rank, workday)
    holidays = frozenset(day for day, (_rank, workday) in chosen.items() if not workday)
    workdays = frozenset(day for day, (_rank, workday) in chosen.items() if workday)
    return holidays, workdays


def working_days_after(region_code: str, start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` in the region's calendar (one query)."""
    # 15 working days never span more than ~2 months, even over the Spring Festival
    holidays, workdays = calendar_of(
        region_code, start, start + datetime.timedelta(days=days * 3 + 30)
    )
    return rules.add_working_days(start, days, holidays, workdays)


def holidays_of_year(user, year: int):
    """The year's calendar as the user's county sees it: the country's days and the county's."""
    county = user_county(user)
    codes = ancestor_codes(county + "000000") if county else []
    return Holiday.objects.filter(
        Q(region_code="") | Q(region_code__in=codes), day__year=year
    ).order_by("day", "region_code")


def holiday_save(*, acting_user, day, name: str, workday: bool = False) -> tuple[Holiday, bool]:
    """Enter (or rename) a day of the county's calendar: a local holiday or a make-up working
    day; audited. Returns (the day, whether it was new)."""
    require(acting_user, "holiday.manage")
    county = user_county(acting_user)
    if not county:
        raise ValidationError({"day": "只有县级管理员可以录入节假日"})
    if not isinstance(day, datetime.date):
        raise ValidationError({"day": f"日期：“{day}”不正确"})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称：必须填写（如“春节”）"})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"名称：最多{MAX_NAME}个字"})
    code = county + "000000"
    with transaction.atomic():
        row = Holiday.objects.select_for_update().filter(region_code=code, day=day).first()
        before = None
        if row is None:
            row = Holiday.objects.create(region_code=code, day=day, name=name, workday=workday)
            created = True
        else:
            before = {"name": row.name, "workday": row.workday}
            row.name, row.workday = name, workday
            row.save(update_fields=["name", "workday"])
            created = False
        audit.record(
            actor=acting_user,
            action=PensionAction.HOLIDAY_SAVE,
            obj=row,
            before=before,
            after={"region": code, "day": day, "name": name, "workday": workday},
        )
    return row, created


def holiday_delete(*, acting_user, pk: int) -> None:
    """Remove a day the county entered (the country's seeded days are not the county's)."""
    require(acting_user, "holiday.manage")
    county = user_county(acting_user)
    with transaction.atomic():
        row = (
            Holiday.objects.select_for_update()
            .filter(pk=pk, region_code=(county or "") + "000000")
            .first()
        )
        if row is None or not county:
            raise ValidationError({"day": "只能删除本县录入的节假日"})
        audit.record(
            actor=acting_user,
            action=PensionAction.HOLIDAY_DELETE,
            obj=row,
            before={"region": row.region_code, "day": row.day, "name": row.name},
        )
        row.delete()

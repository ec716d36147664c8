"""Reads of the monthly cash calendar, scoped to the user's county."""

from jumin.collection.models import CashCalendar
from jumin.core.access import require, scope


def calendar_list(user):
    """The calendars of the counties in the user's scope, newest year first."""
    require(user, "cash_calendar.view")
    return scope(CashCalendar.objects.select_related("county", "set_by"), user).order_by(
        "county_id", "-year"
    )


def calendar_in_force(user, year: int) -> CashCalendar:
    """The days the user's county runs on in ``year`` (its own row, an earlier year's, or the
    standard days)."""
    require(user, "cash_calendar.view")
    return CashCalendar.objects.in_force(region_code=user.region_id or "", year=year)

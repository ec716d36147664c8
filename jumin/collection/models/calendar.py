"""The monthly cash calendar (缴存与核对日历): collection's own dated parameters, one row per
county and year, set by the county administrator.

By the ``deposit_day`` of a month the cadres deposit the cash of the receipts of that month's
cycle, by ``township_check_day`` the township checks the slips and by ``county_check_day``
county finance does (days of the month, clamped to its last day; see ``rules.py``). A year
without a row of its own runs on the county's latest earlier year; a county that never set
one runs on the days the agency always used, the fields' defaults below.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import Region


class CashCalendarQuerySet(models.QuerySet):
    def in_force(self, *, region_code: str, year: int) -> "CashCalendar":
        """The calendar of the county of ``region_code`` for ``year``: its own row, else the
        latest earlier one, else the standard days (an unsaved row)."""
        county = region_code[:6].ljust(12, "0")
        found = self.filter(county_id=county, year__lte=year).order_by("-year").first()
        return found if found is not None else CashCalendar(county_id=county, year=year)


class CashCalendar(models.Model):
    scope_field = "county_id"

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    deposit_day = models.PositiveSmallIntegerField(_("缴存截止日"), default=25)
    township_check_day = models.PositiveSmallIntegerField(_("乡镇核对截止日"), default=28)
    county_check_day = models.PositiveSmallIntegerField(_("县级核对截止日"), default=30)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    objects = CashCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("缴存与核对日历")
        verbose_name_plural = _("缴存与核对日历")
        ordering = ["county_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="cash_calendar_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id[:6]} {self.year}年 {self.deposit_day}/{self.township_check_day}/{self.county_check_day}"

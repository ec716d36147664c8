"""Benefit parameters as dated data, and the award (待遇核定) of a pension.

- ``InterestRate``: the crediting rate of a year for a region and the crediting mode
  (POLICY §2.3): A opening balance only, B credits of the year earn a full year, C pro rata
  by month. The county's row overrides the city's, which overrides the province's.
- ``BenefitStandard``: the basic-pension numbers in force from a date for a region (POLICY
  §2.4–2.6): central minimum, local top-up, the long-contribution extra, the years required,
  the account divisor by age (139 at 60), the funeral grant, the certification cycle, the
  scheme's local start. A raise announced in July and back-dated to January is a new row
  with ``effective_from`` 1 January, entered in July: the payroll pays the difference for the
  months already paid as arrears (EXAMPLES E3).
- ``Award``: one person's pension. ``account_pension`` is fixed at the award (balance at the
  start ÷ divisor); the basic pension of a month is computed from the standard in force in
  that month and the award's ``contribution_years``.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region
from jumin.pension.models.plans import ancestor_codes

RATE = {"max_digits": 7, "decimal_places": 6}  # a fraction: 0.015000 = 1.5 %


class CreditingMode(models.TextChoices):
    A = "A", _("A：仅年初余额计息")
    B = "B", _("B：当年记账全年计息")
    C = "C", _("C：当年记账按月计息")


def _nearest(rows_by_region: dict, region_code: str):
    for code in ancestor_codes(region_code):
        if code in rows_by_region:
            return rows_by_region[code]
    return None


class InterestRateQuerySet(models.QuerySet):
    def in_force(self, *, region_code: str, year: int):
        """The rate of ``year`` for a region: the county's, else the city's, else the province's."""
        rows = {
            r.region_id: r
            for r in self.filter(year=year, region_id__in=ancestor_codes(region_code))
        }
        return _nearest(rows, region_code)


class InterestRate(models.Model):
    scope_field = "region_id"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区划")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    rate = models.DecimalField(_("记账利率"), **RATE)
    mode = models.CharField(
        _("计息方式"), max_length=1, choices=CreditingMode.choices, default=CreditingMode.A
    )
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterestRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("记账利率")
        verbose_name_plural = _("记账利率")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="interest_rate_unique"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=1), name="interest_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.region_id} {self.rate}"


def default_divisors() -> dict:
    """计发月数 by age at the start (the employee scheme's table; 139 at 60)."""
    return {
        "50": 195,
        "55": 170,
        "60": 139,
        "61": 132,
        "62": 125,
        "63": 117,
        "64": 109,
        "65": 101,
        "66": 93,
        "67": 84,
        "68": 75,
        "69": 65,
        "70": 56,
    }


class BenefitStandardQuerySet(models.QuerySet):
    def in_force(self, *, region_code: str, on: datetime.date):
        """The standard in force on ``on`` for a region: of the nearest region (county, city,
        province) that has one in force, the row with the latest ``effective_from``."""
        rows = {}
        for row in self.filter(
            region_id__in=ancestor_codes(region_code), effective_from__lte=on
        ).order_by("effective_from"):
            rows[row.region_id] = row  # the latest per region wins
        return _nearest(rows, region_code)


class BenefitStandard(models.Model):
    scope_field = "region_id"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区划")
    )
    effective_from = models.DateField(_("执行日期"))
    central_minimum = models.DecimalField(_("中央基础养老金最低标准"), **MONEY)
    local_top_up = models.DecimalField(_("地方加发基础养老金"), **MONEY)
    extra_per_year = models.DecimalField(_("长缴多得（每多缴一年每月加发）"), **MONEY)
    extra_after_years = models.PositiveSmallIntegerField(_("长缴多得起算年限"), default=15)
    required_years = models.PositiveSmallIntegerField(_("最低缴费年限"), default=15)
    divisors = models.JSONField(_("计发月数（按年龄）"), default=default_divisors)
    funeral_grant = models.DecimalField(_("丧葬补助金"), default=0, **MONEY)
    certification_cycle_months = models.PositiveSmallIntegerField(
        _("资格认证周期（月）"), default=12
    )
    local_start = models.DateField(_("本地制度实施日期"), null=True, blank=True)
    # a late application (申请晚于到龄次月): the award still starts the month after the 60th
    # birthday, but no more than this many months before the application month (补发月数上限)
    late_arrears_months = models.PositiveSmallIntegerField(_("逾期申请最多补发月数"), default=12)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    objects = BenefitStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("待遇标准")
        verbose_name_plural = _("待遇标准")
        ordering = ["region_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="benefit_standard_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.effective_from} {self.central_minimum}+{self.local_top_up}"

    def divisor(self, age: int) -> int:
        """计发月数 at ``age``: the table's row for that age, else the nearest age below."""
        table = {int(k): int(v) for k, v in self.divisors.items()}
        eligible = [a for a in table if a <= age]
        return table[max(eligible)] if eligible else table[min(table)]


class AwardKind(models.TextChoices):
    NORMAL = "normal", _("按月领取（缴满年限）")
    BASIC_ONLY = "basic_only", _("制度实施时已满60周岁（只发基础养老金）")
    TRANSITIONAL = "transitional", _("制度实施时年满45周岁（逐年缴费、可补缴）")


class AwardStatus(models.TextChoices):
    APPLIED = "applied", _("已申请待审核")
    ACTIVE = "active", _("正常领取")
    SUSPENDED = "suspended", _("暂停发放")
    ENDED = "ended", _("终止")
    REJECTED = "rejected", _("不予核定")


# An award a person holds: one per person among these.
HELD_STATUSES = (AwardStatus.APPLIED, AwardStatus.ACTIVE, AwardStatus.SUSPENDED)


class Award(models.Model):
    """One person's pension (待遇核定) and its state of payment."""

    scope_field = "person__village_id"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="pension_awards"
    )
    enrolment = models.ForeignKey(
        "pension.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    kind = models.CharField(
        _("核定类型"), max_length=20, choices=AwardKind.choices, default=AwardKind.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=AwardStatus.choices, default=AwardStatus.APPLIED
    )
    start_month = models.DateField(_("待遇起始月"))  # always the first of a month
    contribution_years = models.PositiveSmallIntegerField(_("缴费年限"), default=0)
    account_balance = models.DecimalField(_("核定时个人账户余额"), default=0, **MONEY)
    divisor = models.PositiveSmallIntegerField(_("计发月数"), default=139)
    account_pension = models.DecimalField(_("个人账户养老金（月）"), default=0, **MONEY)
    # the basic pension at the award, for the sheet; each month's is computed from the standard
    basic_pension = models.DecimalField(_("基础养老金（核定时，月）"), default=0, **MONEY)
    explanation = models.JSONField(_("计算过程"), default=list, blank=True)
    applied_on = models.DateField(_("申请日期"), default=timezone.localdate)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("核定日期"), null=True, blank=True)
    suspended_from = models.DateField(_("暂停起始月"), null=True, blank=True)
    suspension_reason = models.CharField(_("暂停原因"), max_length=20, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("养老金待遇")
        verbose_name_plural = _("养老金待遇")
        ordering = ["-start_month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["applied", "active", "suspended"]),
                name="award_one_held_per_person",
            ),
        ]
        indexes = [models.Index(fields=["status", "village"], name="award_status_village")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start_month:%Y-%m} {self.get_status_display()}"

"""Financing of the resident medical insurance (筹资) by coverage year and region.

A row is one coverage year in one region (province, city or county; the nearest wins, like
the pension's plans): the individual premium (个人缴费), the government subsidy (财政补助), the
collection window (集中参保期, normally September–December of the year before) and the
waiting-period parameters (POLICY §3.2). Medical assistance paying all or part of the premium
for a group (资助参保, POLICY §3.3) is an ``AssistanceRule`` of the row; the lowest precedence
number wins when a person belongs to several groups. Every number is data, never code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region, ancestor_codes
from jumin.people.models import SpecialStatusKind


class FinancingQuerySet(models.QuerySet):
    def in_force(self, *, region_code: str, year: int):
        """The financing of a region's coverage year: the county's, else the city's, else the
        province's; None when there is none."""
        candidates = ancestor_codes(region_code)
        rows = {
            row.region_id: row for row in self.filter(coverage_year=year, region_id__in=candidates)
        }
        for code in candidates:
            if code in rows:
                return rows[code]
        return None


class Financing(models.Model):
    scope_field = "region_id"

    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区划")
    )
    premium = models.DecimalField(_("个人缴费标准"), **MONEY)
    subsidy = models.DecimalField(_("财政补助标准"), **MONEY)
    window_start = models.DateField(_("集中参保期开始"))
    window_end = models.DateField(_("集中参保期结束"))
    waiting_months = models.PositiveSmallIntegerField(_("固定等待期（月）"), default=3)
    # POLICY §3.2: "+1 month per extra year of break". True (the default): the first break
    # year is covered by the fixed months and the variable months count from the second
    # (EXAMPLES E9: one year of break → 3 months); False: every break year adds a month.
    extra_from_second_break_year = models.BooleanField(
        _("变动等待期从断保第二年起算"), default=True
    )
    newborn_days = models.PositiveSmallIntegerField(_("新生儿参保期限（天）"), default=90)
    document_number = models.CharField(_("文号/来源"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FinancingQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民医保筹资标准")
        verbose_name_plural = _("居民医保筹资标准")
        ordering = ["-coverage_year", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coverage_year", "region"], name="medical_financing_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coverage_year}年 {self.region_id} 筹资标准"


class AssistanceMode(models.TextChoices):
    FULL = "full", _("全额资助")
    FIXED = "fixed", _("定额资助")
    SHARE = "share", _("按比例资助")


class AssistanceRule(models.Model):
    """One group whose premium medical assistance pays (资助参保); lowest precedence wins."""

    financing = models.ForeignKey(
        Financing, on_delete=models.CASCADE, related_name="assistance_rules"
    )
    kind = models.CharField(_("类别"), max_length=32, choices=SpecialStatusKind.choices)
    detail = models.CharField(_("等级/类型"), max_length=20, blank=True)
    precedence = models.PositiveSmallIntegerField(_("优先顺序"))
    mode = models.CharField(_("资助方式"), max_length=10, choices=AssistanceMode.choices)
    amount = models.DecimalField(_("资助金额"), null=True, blank=True, **MONEY)
    share = models.DecimalField(
        _("资助比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("医疗救助资助参保规则")
        verbose_name_plural = _("医疗救助资助参保规则")
        ordering = ["financing_id", "precedence"]
        constraints = [
            models.UniqueConstraint(
                fields=["financing", "kind", "detail"], name="medical_assistance_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["financing", "precedence"], name="medical_assistance_precedence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.precedence}. {self.get_kind_display()} {self.detail}".strip()


class ParticipationTarget(models.Model):
    """The share of registered residents a region is to have insured (参合率目标) in a year."""

    scope_field = "region_id"

    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    rate = models.DecimalField(_("目标参保率"), max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("居民医保参保率目标")
        verbose_name_plural = _("居民医保参保率目标")
        constraints = [
            models.UniqueConstraint(
                fields=["coverage_year", "region"], name="medical_participation_target_unique"
            ),
        ]

"""Resident pension (城乡居保): contribution plans (缴费方案) and their grades.

A plan belongs to one year and one region (province, city or county); the county's plan
overrides the city's, which overrides the province's. Every policy number — grades,
subsidies, the subsidy floors — lives in these rows, never in code.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region, ancestor_codes
from jumin.people.models import SpecialStatusKind


class ContributionPlanQuerySet(models.QuerySet):
    def in_force(self, *, region_code: str, year: int):
        """The plan for a region's year: the county's, else the city's, else the province's."""
        candidates = ancestor_codes(region_code)
        plans = {plan.region_id: plan for plan in self.filter(year=year, region_id__in=candidates)}
        for code in candidates:
            if code in plans:
                return plans[code]
        return None


class ContributionPlan(models.Model):
    scope_field = "region_id"

    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区划")
    )
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    collective_subsidy_limit = models.DecimalField(_("集体补助上限"), **MONEY)
    government_paid_subsidised = models.BooleanField(_("代缴对象同时享受缴费补贴"))
    back_payment_subsidised = models.BooleanField(_("补缴年度享受缴费补贴"))
    lowest_grade_subsidy_floor = models.DecimalField(_("最低档补贴下限"), **MONEY)
    high_grade_threshold = models.DecimalField(_("高档起点"), **MONEY)
    high_grade_subsidy_floor = models.DecimalField(_("高档补贴下限"), **MONEY)
    minimum_age = models.PositiveSmallIntegerField(_("最低参保年龄"), default=16)
    # 政府代缴 goes to everyone whose special status is in force on this date; empty means
    # 1 January of the plan's year.
    government_paid_cutoff = models.DateField(_("代缴认定截止日"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContributionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("缴费方案")
        verbose_name_plural = _("缴费方案")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="contribution_plan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.region_id} 缴费方案"

    @property
    def cutoff(self) -> datetime.date:
        return self.government_paid_cutoff or datetime.date(self.year, 1, 1)


class ContributionGrade(models.Model):
    plan = models.ForeignKey(ContributionPlan, on_delete=models.CASCADE, related_name="grades")
    amount = models.DecimalField(_("缴费档次"), **MONEY)
    subsidy_province = models.DecimalField(_("省级补贴"), **MONEY)
    subsidy_city = models.DecimalField(_("市级补贴"), **MONEY)
    subsidy_county = models.DecimalField(_("县级补贴"), **MONEY)

    class Meta:
        verbose_name = _("缴费档次")
        verbose_name_plural = _("缴费档次")
        ordering = ["plan_id", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "amount"], name="contribution_grade_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.amount}"


class AmountRule(models.TextChoices):
    FULL_MINIMUM = "full_minimum", _("代缴最低档全额")
    FIXED = "fixed", _("代缴固定金额")


class GovernmentPaidRule(models.Model):
    """One group the government pays for (政府代缴); the lowest precedence number wins."""

    plan = models.ForeignKey(
        ContributionPlan, on_delete=models.CASCADE, related_name="government_paid_rules"
    )
    kind = models.CharField(_("类别"), max_length=32, choices=SpecialStatusKind.choices)
    detail = models.CharField(_("等级/类型"), max_length=20, blank=True)
    precedence = models.PositiveSmallIntegerField(_("优先顺序"))
    amount_rule = models.CharField(_("代缴标准"), max_length=20, choices=AmountRule.choices)
    amount = models.DecimalField(_("代缴金额"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("政府代缴规则")
        verbose_name_plural = _("政府代缴规则")
        ordering = ["plan_id", "precedence"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "detail"], name="government_paid_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["plan", "precedence"], name="government_paid_rule_precedence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.precedence}. {self.get_kind_display()} {self.detail}".strip()

"""Enrolment in the resident medical insurance (居民医保) by coverage year.

The key is the year covered (collected in the window of the year before, POLICY §3.1). A
person has one row per coverage year; ``covered_from`` is the first day claims are paid for
(1 January of the year when enrolled in the window; later after a waiting period, POLICY §3.2)
and ``waiting_reason`` says why, in Chinese, for the page.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class CoverageStatus(models.TextChoices):
    PENDING = "pending", _("待缴费")
    COVERED = "covered", _("已参保")
    CANCELLED = "cancelled", _("已撤销")


class MedicalEnrolment(models.Model):
    scope_field = "person__village_id"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="medical_enrolments"
    )
    village = models.ForeignKey(
        Region, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CoverageStatus.choices, default=CoverageStatus.PENDING
    )
    enrolled_on = models.DateField(_("登记日期"), default=timezone.localdate)
    covered_from = models.DateField(_("待遇享受起始日"), null=True, blank=True)
    waiting_reason = models.CharField(_("等待期说明"), max_length=200, blank=True)
    # what the enrolment costs, fixed when it is made (H4): the premium of the year, the part
    # medical assistance pays (资助参保, a government-paid due) and the government subsidy
    # (carried as ``Due.subsidy``); the person's due is ``premium - assistance``.
    premium = models.DecimalField(_("个人缴费标准"), default=0, **MONEY)
    assistance = models.DecimalField(_("医疗救助资助"), default=0, **MONEY)
    assistance_kind = models.CharField(_("资助类别"), max_length=32, blank=True)
    subsidy = models.DecimalField(_("财政补助"), default=0, **MONEY)
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居民医保参保")
        verbose_name_plural = _("居民医保参保")
        ordering = ["-coverage_year", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "coverage_year"], name="medical_enrolment_once_a_year"
            ),
        ]
        indexes = [
            models.Index(fields=["coverage_year", "village"], name="medical_enrolment_year_village")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.coverage_year} {self.get_status_display()}"

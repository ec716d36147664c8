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

from jumin.core.models import Region


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

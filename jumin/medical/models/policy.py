"""The medical benefit policy (待遇政策) of a coverage year for a region, as one JSON document.

A province sends its counties the year's policy as one document; a county may keep its own.
``MedicalPolicy.objects.in_force(region_code=..., year=...)`` answers the county's row, else
the city's, else the province's. The document's shape and its checks are in
``jumin.medical.settlement`` (``policy_problems``, ``Policy.from_document``); every edit is a
new ``version`` of the same row, audited with the document before and after, and each
settlement records the policy id and version it used.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import Region, ancestor_codes


class MedicalPolicyQuerySet(models.QuerySet):
    def in_force(self, *, region_code: str, year: int):
        """The policy of ``year`` for a region: the county's, else the city's, else the province's."""
        rows = {
            row.region_id: row
            for row in self.filter(coverage_year=year, region_id__in=ancestor_codes(region_code))
        }
        for code in ancestor_codes(region_code):
            if code in rows:
                return rows[code]
        return None


class MedicalPolicy(models.Model):
    scope_field = "region_id"

    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    region = models.ForeignKey(
        Region, verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="+"
    )
    document = models.JSONField(_("政策参数"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MedicalPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民医保待遇政策")
        verbose_name_plural = _("居民医保待遇政策")
        ordering = ["-coverage_year", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coverage_year", "region"], name="medical_policy_year_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coverage_year}年 {self.region_id} 第{self.version}版"

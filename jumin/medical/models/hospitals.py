"""Designated hospitals (定点医疗机构) with their level, inside or outside the county."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import Region


class HospitalLevel(models.TextChoices):
    VILLAGE_CLINIC = "village_clinic", _("村卫生室")
    TOWNSHIP = "township", _("乡镇卫生院")
    LEVEL_1 = "level_1", _("一级医院")
    LEVEL_2 = "level_2", _("二级医院")
    LEVEL_3 = "level_3", _("三级医院")
    OUT_OF_REGION = "out_of_region", _("统筹区外")


class Hospital(models.Model):
    # A hospital is seen by the staff of the county it belongs to (``region``: the county
    # or, for a township health centre, the township).
    scope_field = "region_id"

    code = models.CharField(_("医疗机构编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=20, choices=HospitalLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    in_county = models.BooleanField(_("县域内"), default=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("定点医疗机构")
        verbose_name_plural = _("定点医疗机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"

"""Yearly targets (任务数) the county sets for its townships; progress is measured against them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class CollectionTarget(models.Model):
    """A township's yearly target (任务数) set by the county."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    target_count = models.PositiveIntegerField(_("缴费人数任务"))
    target_amount = models.DecimalField(_("缴费金额任务"), null=True, blank=True, **MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("征缴任务")
        verbose_name_plural = _("征缴任务")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="collection_target_unique"),
        ]

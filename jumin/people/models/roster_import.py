"""Roster files handed in for import."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import JobRun, Region, User


class RosterImport(models.Model):
    """One roster file handed in for import; the JobRun carries its progress.

    ``file_sha256`` with the region and mode makes a re-submitted file find its earlier import.
    """

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("全部正确才导入")
        VALID_ONLY = "valid_only", _("只导入正确的行")

    scope_field = "region_id"

    job = models.OneToOneField(JobRun, on_delete=models.PROTECT, related_name="roster_import")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    stored_path = models.CharField(max_length=500)
    mode = models.CharField(_("导入方式"), max_length=20, choices=Mode.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    rows_total = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)

    class Meta:
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")
        ordering = ["-created_at"]

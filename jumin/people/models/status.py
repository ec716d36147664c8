"""Special statuses (特殊群体身份) with their validity periods."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import Region
from jumin.people.models.person import Person


class SpecialStatusKind(models.TextChoices):
    SEVERE_DISABILITY = "severe_disability", _("重度残疾人")
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance", _("低保对象")
    EXTREME_POVERTY = "extreme_poverty", _("特困人员")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("计生特殊家庭")
    POVERTY_MONITORED = "poverty_monitored", _("防返贫监测对象")


# The details a page offers for a kind, by group, and how each is shown (the pages, the
# pension's labels); the services decide which details a kind accepts.
DETAIL_CHOICES = [
    (
        _("重度残疾人：残疾等级"),
        [("1", _("一级")), ("2", _("二级")), ("3", _("三级")), ("4", _("四级"))],
    ),
    (_("低保对象：类型"), [("full", _("全额")), ("partial", _("差额"))]),
    (
        _("计生特殊家庭：类型"),
        [("独生子女死亡", _("独生子女死亡")), ("独生子女伤残", _("独生子女伤残"))],
    ),
]
DETAIL_LABELS = {value: label for _group, options in DETAIL_CHOICES for value, label in options}


class SpecialStatusQuerySet(models.QuerySet):
    def in_force(self, *, on: datetime.date):
        return self.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class SpecialStatus(models.Model):
    """A special status in force from ``valid_from`` to ``valid_to`` (inclusive; open if null).

    ``detail`` qualifies the kind: the disability grade ("1".."4") for severe disability,
    "full" or "partial" for the subsistence allowance, the kind of family for family planning.
    """

    scope_field = "village_id"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="special_statuses")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=32, choices=SpecialStatusKind.choices)
    detail = models.CharField(_("等级/类型"), max_length=20, blank=True)
    valid_from = models.DateField(_("开始日期"))
    valid_to = models.DateField(_("结束日期"), null=True, blank=True)
    source = models.CharField(_("认定来源/文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpecialStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("特殊群体身份")
        verbose_name_plural = _("特殊群体身份")
        ordering = ["person_id", "kind", "valid_from"]
        indexes = [models.Index(fields=["kind", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="special_status_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "valid_from"], name="special_status_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.detail}".strip()

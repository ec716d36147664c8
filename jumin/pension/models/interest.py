"""Runs of interest crediting (计息): the natural key of every interest entry.

An ``InterestRun`` is one county's crediting of one year, of one kind (``year_end``: the
31 December crediting; ``to_start``: the part-year interest credited at a benefit start), in
one round. Round 1 is the first crediting; a rate corrected later reverses the entries of the
round standing and credits the year again as round 2, 3, … Every interest entry names its run,
and the ledger holds at most one standing entry per person and run (a unique constraint): a
run repeated, resumed after a kill or started twice at once adds nothing.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region
from jumin.pension.models.benefits import RATE, CreditingMode


class InterestKind(models.TextChoices):
    YEAR_END = "year_end", _("年终结息")
    TO_START = "to_start", _("待遇起始前计息")


class InterestRun(models.Model):
    scope_field = "region_id"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    year = models.PositiveSmallIntegerField(_("计息年度"))
    kind = models.CharField(
        _("类别"), max_length=10, choices=InterestKind.choices, default=InterestKind.YEAR_END
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    rate = models.DecimalField(_("记账利率"), **RATE)
    mode = models.CharField(_("计息方式"), max_length=1, choices=CreditingMode.choices)
    job = models.ForeignKey("core.JobRun", null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # what committed so far (grown inside each chunk's transaction)
    entry_count = models.PositiveIntegerField(default=0)
    amount_sum = models.DecimalField(default=0, **MONEY)
    reason = models.CharField(_("更正原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("计息批次")
        verbose_name_plural = _("计息批次")
        ordering = ["-year", "-round"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "kind", "round"], name="interest_run_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.kind} #{self.round}"

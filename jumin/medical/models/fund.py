"""The pooled medical fund (统筹基金) ledger: append-only entries by scheme, coverage year,
county and source. Income is positive (premiums, subsidies, assistance-paid premiums, posted
from confirmed dues by ``services.fund.post_confirmed``); claim payments are negative
(``services.fund.fund_debit``). A correction is a reversing entry with a reason, never an
edit: the database refuses UPDATE (and, on PostgreSQL, DELETE) of this table.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region

SCHEME = "medical"
# the other money of a settlement, booked in the same ledger under its own scheme (not the
# basic pool): the critical-illness insurer's and the medical-assistance fund's payments
CRITICAL_ILLNESS_SCHEME = "critical_illness"
ASSISTANCE_SCHEME = "medical_assistance"


class FundSource(models.TextChoices):
    PREMIUM = "premium", _("个人缴费")
    SUBSIDY = "subsidy", _("财政补助")
    ASSISTANCE = "assistance", _("医疗救助资助参保")
    CLAIM = "claim", _("医疗费用支付")
    REVERSAL = "reversal", _("冲正")


INCOME_SOURCES = (FundSource.PREMIUM, FundSource.SUBSIDY, FundSource.ASSISTANCE)


class FundPosting(models.Model):
    """One run of posting confirmed medical dues to the fund (入基金), with what it wrote."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    due_count = models.PositiveIntegerField(_("应缴笔数"), default=0)
    entry_count = models.PositiveIntegerField(_("基金记录条数"), default=0)
    amount_sum = models.DecimalField(_("金额合计"), default=0, **MONEY)
    # a run posting settlements (结算记入基金) instead of dues: how many it posted
    settlement_count = models.PositiveIntegerField(_("结算笔数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("居民医保基金记账批次")
        verbose_name_plural = _("居民医保基金记账批次")
        ordering = ["-created_at"]


class FundEntry(models.Model):
    scope_field = "region_id"
    append_only = True  # jumin db-roles gives the application role SELECT and INSERT only

    scheme = models.CharField(_("险种"), max_length=20, default=SCHEME)
    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    region = models.ForeignKey(
        Region, verbose_name=_("统筹区（县）"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=12, choices=FundSource.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    # the due an income entry comes from; the claim (by H5's reference) a payment comes from
    due = models.ForeignKey(
        "collection.Due", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("业务单据"), max_length=60, blank=True)
    # the settlement row a claim payment (or its reversal) comes from
    settlement = models.ForeignKey(
        "medical.Settlement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posting = models.ForeignKey(
        FundPosting, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    booked_on = models.DateField(_("记账日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("居民医保基金记录")
        verbose_name_plural = _("居民医保基金记录")
        ordering = ["coverage_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["due", "source"],
                condition=models.Q(due__isnull=False),
                name="medical_fund_entry_once_per_due_source",
            ),
            models.UniqueConstraint(
                fields=["settlement", "scheme"],
                condition=models.Q(settlement__isnull=False),
                name="medical_fund_entry_once_per_settlement",
            ),
            models.UniqueConstraint(
                fields=["reference", "source"],
                condition=~models.Q(reference=""),
                name="medical_fund_entry_once_per_reference_source",
            ),
        ]
        indexes = [
            models.Index(
                fields=["coverage_year", "region", "source"], name="medical_fund_year_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coverage_year} {self.get_source_display()} {self.amount}"

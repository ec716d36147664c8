"""Cash deposits (缴存), the agency's bank statement and monthly reconciliation.

Cadres deposit the cash they took against receipts into the agency's income account and
record the slip by the county's deposit day (``CashCalendar``); the township checks it by the
township check day and county finance by the county check day. A month of a village is
reconciled (roster vs receipts vs slips vs the imported bank statement) and, once confirmed,
its paid dues are confirmed, for their scheme to post.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class DepositStatus(models.TextChoices):
    RECORDED = "recorded", _("已登记")
    TOWNSHIP_CHECKED = "township_checked", _("乡镇已核对")
    COUNTY_CHECKED = "county_checked", _("县级已核对")
    RETURNED = "returned", _("已退回")


class Deposit(models.Model):
    """One deposit slip (缴款单) and the receipts whose cash it carried."""

    scope_field = "village_id"

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    bank = models.CharField(_("存入银行"), max_length=40)
    slip_number = models.CharField(_("缴款单号"), max_length=40)
    deposited_on = models.DateField(_("缴存日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    depositor_name = models.CharField(_("缴款人"), max_length=50)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=20, choices=DepositStatus.choices, default=DepositStatus.RECORDED
    )
    township_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    township_checked_at = models.DateTimeField(null=True, blank=True)
    county_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county_checked_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("缴存记录")
        verbose_name_plural = _("缴存记录")
        ordering = ["-deposited_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "slip_number"], name="deposit_slip_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.slip_number} {self.amount}"


class BankStatementFile(models.Model):
    """The agency income account's statement (银行对账单) as imported; same file twice is a no-op."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    bank = models.CharField(_("银行"), max_length=40)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    line_count = models.PositiveIntegerField(default=0)
    amount_sum = models.DecimalField(default=0, **MONEY)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)


class BankStatementLine(models.Model):
    scope_field = "region_id"

    file = models.ForeignKey(BankStatementFile, on_delete=models.PROTECT, related_name="lines")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    line_number = models.PositiveIntegerField()
    booked_on = models.DateField(_("入账日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    reference = models.CharField(_("凭证号/缴款单号"), max_length=40)
    counterparty = models.CharField(_("对方户名"), max_length=100, blank=True)
    deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines"
    )

    class Meta:
        ordering = ["booked_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "booked_on", "reference", "amount"],
                name="statement_line_unique",
            ),
        ]


class ReconciliationStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    CONFIRMED = "confirmed", _("已确认")


class Reconciliation(models.Model):
    """One region's month (村/乡镇 × 月): totals, the differences found, and who confirmed it."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ReconciliationStatus.choices,
        default=ReconciliationStatus.DRAFT,
    )
    roster_count = models.PositiveIntegerField(_("花名册人数"), default=0)
    receipt_count = models.PositiveIntegerField(_("票据张数"), default=0)
    receipt_sum = models.DecimalField(_("票据金额"), default=0, **MONEY)
    deposit_sum = models.DecimalField(_("缴存金额"), default=0, **MONEY)
    statement_sum = models.DecimalField(_("银行到账金额"), default=0, **MONEY)
    differences = models.JSONField(_("差异"), default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("对账")
        verbose_name_plural = _("对账")
        ordering = ["-month", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="reconciliation_unique"),
        ]

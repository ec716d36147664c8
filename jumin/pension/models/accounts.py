"""The personal-account ledger (个人账户): append-only entries by source (POLICY §2.3).

A balance is the sum of a person's entries. A correction is a new entry with the opposite
amount that names the entry it reverses and a reason; nothing is ever updated or deleted.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class EntrySource(models.TextChoices):
    """Sub-ledgers; Hunan item codes in comments (POLICY §2.9)."""

    PERSONAL = "personal", _("个人缴费")  # 1
    SUBSIDY_PROVINCE = "subsidy_province", _("省级补贴")  # 3
    SUBSIDY_CITY = "subsidy_city", _("市级补贴")  # 4
    SUBSIDY_COUNTY = "subsidy_county", _("县级补贴")  # 5
    COLLECTIVE = "collective", _("集体补助")
    GOVERNMENT_PAID = "government_paid", _("政府代缴")  # 11
    BACK_PAYMENT = "back_payment", _("补缴")  # type 31
    INTEREST = "interest", _("利息")
    EMPLOYEE_TRANSFER = "employee_transfer", _("职保个人账户转入")
    PENSION_PAID = "pension_paid", _("支付个人账户养老金")
    OVERPAYMENT_RETURN = "overpayment_return", _("死亡后多发的账户养老金退回")
    OVERPAYMENT_SET_OFF = "overpayment_set_off", _("多发基础养老金从余额抵扣")
    INHERITANCE = "inheritance", _("余额继承")


class Movement(models.TextChoices):
    """Why an entry that is neither a contribution nor interest was made (transfers, the link
    with the employee scheme); each is unique per case, source and movement."""

    TRANSFER_OUT = "transfer_out", _("转出")
    TRANSFER_IN = "transfer_in", _("转入")
    LINK_OUT = "link_out", _("转入职工养老保险")
    LINK_IN = "link_in", _("职保个人账户转入")
    LINK_REFUND = "link_refund", _("重复缴费退还个人")
    LINK_SUBSIDY = "link_subsidy", _("重复缴费冲回补贴")


class AccountEntryQuerySet(models.QuerySet):
    def balance(self):
        return self.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    def update(self, **kwargs):
        raise PermissionError("The personal-account ledger is append-only.")

    def delete(self):
        raise PermissionError("The personal-account ledger is append-only.")


class AccountEntry(models.Model):
    # The ledger is append-only, so ``village`` stays as booked; the entries are seen by
    # whoever may see the person now (scoped through the person, they follow a move).
    scope_field = "person__village_id"
    append_only = True  # jumin db-roles gives the application role SELECT and INSERT only

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("所属年度"))
    source = models.CharField(_("来源"), max_length=20, choices=EntrySource.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    booked_on = models.DateField(_("记账日期"), default=timezone.localdate)
    # What produced the entry: the due it credits and the posting run; both set for
    # contributions, neither for interest.
    due = models.ForeignKey(
        "collection.Due", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posting = models.ForeignKey(
        "pension.Posting", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # interest: the run that credited it (its natural key: one standing entry per person × run)
    interest_run = models.ForeignKey(
        "pension.InterestRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.ForeignKey(
        "pension.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheme_link = models.ForeignKey(
        "pension.SchemeLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # a database default: the set-based inserts of posting and interest leave it out
    movement = models.CharField(
        _("变动类型"), max_length=16, choices=Movement.choices, blank=True, db_default=""
    )
    # the payroll line whose account pension this entry debits (source ``pension_paid``)
    payroll_line = models.ForeignKey(
        "pension.PayrollLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("冲正原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AccountEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人账户记账")
        verbose_name_plural = _("个人账户记账")
        ordering = ["person_id", "booked_on", "pk"]
        constraints = [
            # A due credits each source once; a re-run of a posting adds nothing.
            models.UniqueConstraint(
                fields=["due", "source"],
                condition=models.Q(reverses__isnull=True),
                name="account_entry_once_per_due_source",
            ),
            models.UniqueConstraint(
                fields=["person", "interest_run"],
                condition=models.Q(reverses__isnull=True, interest_run__isnull=False),
                name="account_entry_once_per_interest_run",
            ),
            models.UniqueConstraint(
                fields=["transfer", "source", "movement"],
                condition=models.Q(reverses__isnull=True, transfer__isnull=False),
                name="account_entry_once_per_transfer_source",
            ),
            models.UniqueConstraint(
                fields=["scheme_link", "source", "movement"],
                condition=models.Q(reverses__isnull=True, scheme_link__isnull=False),
                name="account_entry_once_per_link_source",
            ),
            # a payroll line debits the account once; a re-run of a build adds nothing
            models.UniqueConstraint(
                fields=["payroll_line"],
                condition=models.Q(reverses__isnull=True, payroll_line__isnull=False),
                name="account_entry_once_per_payroll_line",
            ),
            models.CheckConstraint(
                condition=models.Q(reverses__isnull=True) | ~models.Q(reason=""),
                name="account_entry_reversal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["person", "year"], name="account_entry_person_year")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.source} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The personal-account ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The personal-account ledger is append-only.")

"""Receipt books (专用票据), their custody chain and the receipts issued from them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY


class BookStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("在库")
    IN_USE = "in_use", _("使用中")
    WRITTEN_OFF = "written_off", _("已核销")


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("已开")
    VOIDED = "voided", _("作废")
    LOST = "lost", _("遗失")


class ReceiptBook(models.Model):
    """One province-printed book: a series and an inclusive number range, held by one person."""

    scope_field = "holder_region_id"

    series = models.CharField(_("票据字轨"), max_length=20)
    first_number = models.PositiveIntegerField(_("起始号"))
    last_number = models.PositiveIntegerField(_("终止号"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("持有人"),
        on_delete=models.PROTECT,
        related_name="receipt_books",
    )
    holder_region = models.ForeignKey(
        "core.Region", verbose_name=_("持有人所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BookStatus.choices, default=BookStatus.IN_STOCK
    )
    # Set by the deposits once every issued receipt's cash is deposited.
    money_deposited = models.BooleanField(_("款项已全部缴存"), default=False)

    class Meta:
        ordering = ["series", "first_number"]
        verbose_name = _("票据本")
        verbose_name_plural = _("票据本")
        constraints = [
            models.UniqueConstraint(fields=["series", "first_number"], name="book_unique_start"),
            models.CheckConstraint(
                condition=models.Q(first_number__lte=models.F("last_number")),
                name="book_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.first_number}–{self.last_number}"

    @property
    def size(self) -> int:
        return self.last_number - self.first_number + 1


class ReceiptHandover(models.Model):
    """One handover of a book from giver to receiver; append-only."""

    book = models.ForeignKey(ReceiptBook, on_delete=models.PROTECT, related_name="handovers")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_at = models.DateTimeField(_("交接时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["handed_at", "pk"]
        verbose_name = _("票据交接")
        verbose_name_plural = _("票据交接")


class Receipt(models.Model):
    """One used number of a book: issued to a payer, voided or reported lost.

    ``due`` is the due it pays (empty for a voided or lost number); ``deposit`` the deposit
    slip that carried its cash to the agency's account.
    """

    scope_field = "region_id"

    book = models.ForeignKey(ReceiptBook, on_delete=models.PROTECT, related_name="receipts")
    series = models.CharField(_("票据字轨"), max_length=20)
    number = models.PositiveIntegerField(_("票号"))
    status = models.CharField(_("状态"), max_length=16, choices=ReceiptStatus.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("金额"), null=True, blank=True, **MONEY)
    payer_name = models.CharField(_("交款人"), max_length=50, blank=True)
    contribution_year = models.PositiveSmallIntegerField(_("缴费年度"), null=True, blank=True)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    # The date written on the receipt may be earlier than its entry (entered back at the
    # office); ``receipt_issue(issued_on=...)`` sets it, so it is a default, not auto_now_add.
    issued_at = models.DateTimeField(_("开票时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("作废或遗失原因"), max_length=200, blank=True)
    due = models.ForeignKey(
        "collection.Due", null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    deposit = models.ForeignKey(
        "collection.Deposit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )

    class Meta:
        ordering = ["series", "number"]
        verbose_name = _("票据")
        verbose_name_plural = _("票据")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="receipt_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number}"

    @property
    def reference(self) -> str:
        """The payment reference a cash-paid due carries: ``series-number``."""
        return f"{self.series}-{self.number}"

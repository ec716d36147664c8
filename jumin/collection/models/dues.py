"""Dues (应缴) of any scheme and how they were paid: bank withholding, the tax bureau, cash,
the government.

A ``Due`` is what one person owes one scheme for one year as one payer kind. The scheme
(``scheme``: "pension" now, "medical" next) makes its dues and keeps what only it needs beside
them (the pension's plan, grade and subsidies by level: ``pension.ContributionDue``); the due
carries what every scheme has: the amount the payer owes and the public money that comes with
it. It is paid through exactly one channel, confirmed once its money is reconciled, and then
posted by its scheme (the pension credits the personal account). Its status moves only along
``jumin.collection.rules.DUE_LIFE``, through ``DueQuerySet.transition``.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.collection import schemes
from jumin.collection.rules import DUE_LIFE, PAYING_STEPS, DueStatus, DueStep, update_of
from jumin.core.models import MONEY, Region


class DueKind(models.TextChoices):
    """Who pays: the person, the government for a group, or the person for a past year."""

    PERSONAL = "personal", _("个人缴费")
    GOVERNMENT_PAID = "government_paid", _("政府代缴")
    BACK_PAYMENT = "back_payment", _("补缴")


class Channel(models.TextChoices):
    BANK = "bank", _("银行代扣")
    CASH = "cash", _("现金收缴")
    TAX = "tax", _("税务征收")
    GOVERNMENT = "government", _("政府代缴")


PAYING_CHUNK = 5000


class StatusWritten(Exception):
    """A due's status written other than through ``transition``."""


class DueQuerySet(models.QuerySet):
    def transition(self, step: DueStep, *, at=None, **values) -> int:
        """Move the dues of this queryset that are in a status ``step`` starts from to its
        target (``rules.DUE_LIFE``), writing ``values`` (the fields the step requires, e.g.
        the payment) and its time stamp (``at``). One ``UPDATE``; returns how many moved."""
        sources, columns = update_of(step, values, at=at)
        if step not in PAYING_STEPS:
            return models.QuerySet.update(self.filter(status__in=sources), **columns)
        # A step that pays: the schemes hear of the dues it paid, in the same transaction
        # (``schemes.paid``). The dues are taken by id, a chunk at a time, so the schemes are
        # told of exactly the dues this step moved, in a few statements per chunk.
        target = DUE_LIFE[step].target
        moved = 0
        with transaction.atomic():
            moving = list(
                self.filter(status__in=sources).order_by("pk").values_list("pk", flat=True)
            )
            for start in range(0, len(moving), PAYING_CHUNK):
                chunk = moving[start : start + PAYING_CHUNK]
                count = models.QuerySet.update(
                    Due.objects.filter(pk__in=chunk, status__in=sources), **columns
                )
                if count:
                    schemes.paid(Due.objects.filter(pk__in=chunk, status=target))
                moved += count
        return moved

    def collected_in_year(self, year: int):
        """The dues collected in ``year``'s round (``Due.collected_in``; a due without it is
        collected in its own year, as the pension's are)."""
        return self.filter(
            models.Q(collected_in=year) | models.Q(collected_in__isnull=True, year=year)
        )

    def update(self, **kwargs):
        if "status" in kwargs:
            raise StatusWritten("a due's status changes only through Due.objects.transition")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        if "status" in fields:
            raise StatusWritten("a due's status changes only through Due.objects.transition")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class Due(models.Model):
    # Scoped by where the person lives now (``village`` is where they lived when the due was
    # made): the new township collects an open due and sees the paid ones; the money a
    # township already took stays its own through its receipts and deposits.
    scope_field = "person__village_id"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    # the code of the scheme that made the due (``collection.schemes``): "pension", "medical"
    scheme = models.CharField(_("险种"), max_length=20)
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    # The year whose collection round takes the due (征收年度), when it is not ``year``: the
    # medical scheme's ``year`` is the coverage year, collected in the autumn of the year
    # before. A withholding batch of year Y carries the dues collected in Y
    # (``DueQuerySet.collected_in_year``): a person's pension of Y with their medical premium
    # of Y + 1. Empty: collected in ``year`` (the pension).
    collected_in = models.PositiveSmallIntegerField(_("征收年度"), null=True, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=DueKind.choices)
    amount = models.DecimalField(_("应缴金额"), **MONEY)
    # The public money that comes with the due when it is paid (the pension's subsidies of
    # every level, the medical scheme's government subsidy), fixed when the due is made.
    subsidy = models.DecimalField(_("财政补助"), default=0, **MONEY)
    status = models.CharField(
        _("状态"), max_length=12, choices=DueStatus.choices, default=DueStatus.OPEN
    )
    channel = models.CharField(_("缴费渠道"), max_length=12, choices=Channel.choices, blank=True)
    paid_amount = models.DecimalField(_("实缴金额"), null=True, blank=True, **MONEY)
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    payment_reference = models.CharField(_("缴费凭证"), max_length=60, blank=True)
    confirmed_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    posted_at = models.DateTimeField(_("记账时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DueQuerySet.as_manager()

    class Meta:
        verbose_name = _("应缴记录")
        verbose_name_plural = _("应缴记录")
        ordering = ["village_id", "person_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "person", "year", "kind"],
                condition=~models.Q(status="cancelled"),
                name="due_once_per_scheme_person_year_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status", "village"], name="due_year_status_village"),
            models.Index(fields=["person", "year"], name="due_person_year"),
            models.Index(
                fields=["collected_in", "status", "village"], name="due_collected_status_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.person_id} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        """A new due starts where its maker puts it; an existing one keeps its status here
        (``transition`` moves it)."""
        loaded = getattr(self, "_loaded_status", None)
        fields = kwargs.get("update_fields")
        if self.pk is not None and loaded is not None and self.status != loaded:
            if fields is None or "status" in fields:
                raise StatusWritten("a due's status changes only through Due.objects.transition")
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        due = super().from_db(db, field_names, values)
        due._loaded_status = due.__dict__.get("status")
        return due

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_status = self.__dict__.get("status")


class BatchStatus(models.TextChoices):
    CREATED = "created", _("已生成")
    EXPORTED = "exported", _("已导出")
    RESULT_IMPORTED = "result_imported", _("已回盘")
    CONFIRMED = "confirmed", _("已核对")


class WithholdingBatch(models.Model):
    """One round of bank withholding (代扣) for one bank in one county and year."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    bank = models.CharField(_("银行"), max_length=20)
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    round = models.PositiveSmallIntegerField(_("批次"))
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.CREATED
    )
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    amount_sum = models.DecimalField(_("金额合计"), default=0, **MONEY)
    paid_count = models.PositiveIntegerField(_("成功笔数"), default=0)
    paid_sum = models.DecimalField(_("成功金额"), default=0, **MONEY)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    export_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("代扣批次")
        verbose_name_plural = _("代扣批次")
        ordering = ["-year", "bank", "-round"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "bank", "year", "round"], name="withholding_batch_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.bank} 第{self.round}批"


class LineResult(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("扣款成功")
    FAILED = "failed", _("扣款失败")


class WithholdingLine(models.Model):
    scope_field = "village_id"

    batch = models.ForeignKey(WithholdingBatch, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField(_("行号"))
    due = models.ForeignKey(Due, on_delete=models.PROTECT, related_name="withholding_lines")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    account_number = models.CharField(_("扣款账号"), max_length=32)
    amount = models.DecimalField(_("金额"), **MONEY)
    result = models.CharField(
        _("结果"), max_length=10, choices=LineResult.choices, default=LineResult.PENDING
    )
    bank_reason = models.CharField(_("银行说明"), max_length=200, blank=True)
    result_file = models.ForeignKey(
        "collection.BankResultFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["batch_id", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_number"], name="withholding_line_no"),
            models.UniqueConstraint(fields=["batch", "due"], name="withholding_line_due"),
        ]


class BankResultFile(models.Model):
    """A bank's result file (回盘文件) for a batch; the same file twice changes nothing."""

    scope_field = "region_id"

    batch = models.ForeignKey(WithholdingBatch, on_delete=models.PROTECT, related_name="results")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    amount_sum = models.DecimalField(_("金额合计"), default=0, **MONEY)
    paid_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(_("问题清单"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)


class TaxPaymentFile(models.Model):
    """The tax bureau's payment-detail file (税务缴费明细); another source of paid dues."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    amount_sum = models.DecimalField(_("金额合计"), default=0, **MONEY)
    matched_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(_("问题清单"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)


class TaxPaymentLine(models.Model):
    scope_field = "village_id"

    file = models.ForeignKey(TaxPaymentFile, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField(_("行号"))
    voucher_number = models.CharField(_("税票号码"), max_length=40, unique=True)
    id_number = models.CharField(_("身份证号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50)
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    amount = models.DecimalField(_("金额"), **MONEY)
    paid_on = models.DateField(_("缴费日期"))
    # the scheme the line says it pays (format version 2); empty in a version-1 file
    scheme = models.CharField(_("险种"), max_length=20, blank=True)
    due = models.ForeignKey(Due, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["file_id", "line_number"]

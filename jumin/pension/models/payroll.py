"""The monthly payroll (待遇发放), life certification (资格认证), suspensions, deaths and the
recovery of money paid after a death (多发待遇追回), POLICY §2.5–2.6.

- ``Payroll``: one per county and month; built (set-based, resumable) → approved by another
  user (maker-checker) → exported to the bank → paid / partly failed (the bank's result file)
  → closed.
- ``PayrollLine``: what one award is paid for one month: ``regular`` (the month of the
  payroll), ``arrears`` (补发: what a month was due under the standards as they are now, less
  what was paid for it) or ``retry`` (a failed line paid again). A month is paid once: one
  regular line per award and month, at most one arrears line per award, month and payroll,
  one retry per failed line. ``from_account`` is the part debited from the personal account
  (an ``AccountEntry`` with source ``pension_paid``); the fund pays the rest.
- ``Suspension``: a period an award was not paid: for a lapsed certification (arrears paid
  when the person certifies) or imprisonment (no arrears for the period).
- ``Certification``: a life certification with its channel and next due date.
- ``DeathReport``: a death reported by a township or matched from an imported list.
- ``Recovery``: the money paid after a death and how it was recovered, item by item.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class PayrollStatus(models.TextChoices):
    BUILT = "built", _("已生成待审核")
    APPROVED = "approved", _("已审核")
    EXPORTED = "exported", _("已送银行")
    PAID = "paid", _("已发放")
    PARTLY_FAILED = "partly_failed", _("部分发放失败")
    CLOSED = "closed", _("已结束")


# After the bank answered: building the month again is refused.
PAID_STATUSES = (PayrollStatus.PAID, PayrollStatus.PARTLY_FAILED, PayrollStatus.CLOSED)


class Payroll(models.Model):
    scope_field = "region_id"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    month = models.DateField(_("发放月份"))  # the first of the month
    status = models.CharField(
        _("状态"), max_length=20, choices=PayrollStatus.choices, default=PayrollStatus.BUILT
    )
    # the standard each month was paid under, {"YYYY-MM": standard id}: arrears are owed
    # for a month when the standard in force for it now is another one
    standards = models.JSONField(default=dict, blank=True)
    built_through = models.PositiveBigIntegerField(default=0)  # the last award id built
    build_finished = models.BooleanField(default=False)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    built_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    export_sha256 = models.CharField(max_length=64, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    amount_sum = models.DecimalField(_("金额合计"), default=0, **MONEY)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    job = models.ForeignKey("core.JobRun", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("待遇发放")
        verbose_name_plural = _("待遇发放")
        ordering = ["-month", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="payroll_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id[:6]} {self.month:%Y-%m}"

    @property
    def key(self) -> str:
        """The batch key of the bank files: ``341125-202603``."""
        return f"{self.region_id[:6]}-{self.month:%Y%m}"

    @property
    def approval_deadline(self) -> datetime.date:
        return self.month.replace(day=15)

    @property
    def report_deadline(self) -> datetime.date:
        return self.month.replace(day=10)


class LineKind(models.TextChoices):
    REGULAR = "regular", _("当月")
    ARREARS = "arrears", _("补发")
    RETRY = "retry", _("重发")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")
    RETRIED = "retried", _("失败已重发")
    # the person died before the month: held at approval, not sent, its debit reversed
    HELD = "held", _("死亡止付")


class PayrollLine(models.Model):
    scope_field = "village_id"

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="lines")
    award = models.ForeignKey("pension.Award", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    month_for = models.DateField(_("所属月份"))
    kind = models.CharField(_("类别"), max_length=10, choices=LineKind.choices)
    basic = models.DecimalField(_("基础养老金"), **MONEY)
    account_part = models.DecimalField(_("个人账户养老金"), **MONEY)
    from_account = models.DecimalField(_("其中个人账户支付"), **MONEY)
    total = models.DecimalField(_("合计"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    retry_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="retried_by"
    )
    bank_reason = models.CharField(_("银行说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["payroll_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "month_for"],
                condition=Q(kind="regular"),
                name="payroll_line_regular_once",
            ),
            models.UniqueConstraint(
                fields=["award", "month_for", "payroll"],
                condition=Q(kind="arrears"),
                name="payroll_line_arrears_once",
            ),
        ]
        indexes = [
            models.Index(fields=["award", "month_for"], name="payroll_line_award_month"),
            models.Index(fields=["payroll", "status"], name="payroll_line_status"),
        ]

    def __str__(self) -> str:
        return f"{self.award_id} {self.month_for:%Y-%m} {self.kind} {self.total}"

    @property
    def from_fund(self):
        return self.total - self.from_account


class SuspensionReason(models.TextChoices):
    NO_CERTIFICATION = "1201", _("未提供生存证明")
    IMPRISONMENT = "1202", _("服刑")


class Suspension(models.Model):
    """A period in which an award was suspended; ``to_month`` is the last month suspended
    (empty while it lasts). Arrears are paid for it unless ``payable`` is false."""

    scope_field = "award__person__village_id"

    award = models.ForeignKey("pension.Award", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("暂停原因"), max_length=10, choices=SuspensionReason.choices)
    from_month = models.DateField(_("暂停起始月"))
    to_month = models.DateField(_("暂停截止月"), null=True, blank=True)
    payable = models.BooleanField(_("恢复后补发"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("暂停发放")
        verbose_name_plural = _("暂停发放")
        ordering = ["-from_month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["award"], condition=Q(to_month__isnull=True), name="suspension_one_open"
            ),
        ]


class CertificationChannel(models.TextChoices):
    COUNTER = "01", _("经办机构柜台")
    PHONE = "02", _("手机认证")
    KIOSK = "04", _("自助终端")
    HOME_VISIT = "06", _("上门认证")
    MATCHED = "07", _("数据比对")


class Certification(models.Model):
    scope_field = "village_id"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    certified_on = models.DateField(_("认证日期"))
    channel = models.CharField(_("认证方式"), max_length=2, choices=CertificationChannel.choices)
    next_due_on = models.DateField(_("下次认证截止日"))
    photo = models.FileField(_("上门认证照片"), upload_to="certifications/", blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("资格认证")
        verbose_name_plural = _("资格认证")
        ordering = ["-certified_on", "pk"]
        constraints = [
            # a certification typed twice (or sent again after a dropped connection) is one
            models.UniqueConstraint(
                fields=["person", "certified_on"], name="certification_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["person", "next_due_on"], name="certification_due")]


class DeathSource(models.TextChoices):
    TOWNSHIP = "township", _("乡镇上报")
    PUBLIC_SECURITY = "public_security", _("公安户籍注销")
    CIVIL_AFFAIRS = "civil_affairs", _("民政殡葬")
    FUNERAL_HOME = "funeral_home", _("殡仪馆火化")


class DeathStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("已核实")
    REJECTED = "rejected", _("不属实")


class DeathReport(models.Model):
    scope_field = "village_id"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    death_date = models.DateField(_("死亡日期"))
    source = models.CharField(_("来源"), max_length=20, choices=DeathSource.choices)
    proof = models.CharField(_("证明材料"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeathStatus.choices, default=DeathStatus.PENDING
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("死亡报告")
        verbose_name_plural = _("死亡报告")
        ordering = ["-reported_at", "pk"]
        constraints = [
            # one open or confirmed report per person and source: an imported list read twice
            # adds nothing
            models.UniqueConstraint(
                fields=["person", "source"],
                condition=~Q(status="rejected"),
                name="death_report_once_per_source",
            ),
        ]


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("追回中")
    CLOSED = "closed", _("已追回")


class Recovery(models.Model):
    """The money an award was paid for months after the death, and its recovery."""

    scope_field = "village_id"

    award = models.OneToOneField("pension.Award", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    death_date = models.DateField(_("死亡日期"))
    months = models.PositiveSmallIntegerField(_("多发月数"), default=0)
    overpaid = models.DecimalField(_("多发金额"), **MONEY)
    account_part = models.DecimalField(_("其中个人账户部分"), **MONEY)
    outstanding = models.DecimalField(_("未追回"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN
    )
    heir_name = models.CharField(_("继承人姓名"), max_length=50, blank=True)
    heir_id_number = models.CharField(_("继承人身份证号"), max_length=18, blank=True)
    inherited = models.DecimalField(_("继承金额"), null=True, blank=True, **MONEY)
    funeral_grant_paid = models.DecimalField(_("实发丧葬补助金"), null=True, blank=True, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("多发待遇追回")
        verbose_name_plural = _("多发待遇追回")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outstanding__gte=0), name="recovery_not_over"),
        ]


class RecoveryItemKind(models.TextChoices):
    ACCOUNT_RETURN = "account_return", _("个人账户养老金退回账户")
    INHERITANCE_SET_OFF = "inheritance_set_off", _("从继承额中抵扣")
    FUNERAL_GRANT_SET_OFF = "funeral_grant_set_off", _("从丧葬补助金中抵扣")
    FAMILY = "family", _("家属退回")


class RecoveryItem(models.Model):
    scope_field = "recovery__village_id"

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("方式"), max_length=30, choices=RecoveryItemKind.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    recorded_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("追回记录")
        verbose_name_plural = _("追回记录")
        ordering = ["recovery_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_item_positive"),
        ]

"""Transfers between counties (转移接续) and the link with the employee scheme (制度衔接),
POLICY §2.7.

``Transfer``: one person's move while contributing, from a sending county to a receiving
village, in three steps of 15 working days each: the receiving county issues its acceptance
letter, the sending county moves the whole balance (one negative entry per source) and the
years, the receiving county books it (one positive entry per source). Each step has its
deadline; ``due_on`` is the deadline of the step that is next.

``SchemeLink``: a case decided at the employee retirement age from the employee years: with
enough employee years the resident balance moves out to the employee scheme and the resident
record ends; with fewer, the employee personal account comes in (source
``employee_transfer``) and the employee years add; months paid in both schemes are refunded
(personal and collective money to the person) and their subsidy reversed.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请，待转入地出具联系函")
    ACCEPTED = "accepted", _("已出具联系函，待转出地转出")
    SENT = "sent", _("已转出，待转入地记账")
    BOOKED = "booked", _("已转入记账（完成）")
    CANCELLED = "cancelled", _("已撤销")


class Transfer(models.Model):
    """A move of a contributing person's account from one county to another (both here)."""

    # seen by both counties: staff of the sending county by ``from_village``, of the receiving
    # county by ``to_village`` (``queries.transfers`` ORs the two)
    scope_field = "from_village_id"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    from_village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("转出村（社区）")
    )
    to_village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("转入村（社区）")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_on = models.DateField(_("申请日期"))
    accepted_on = models.DateField(_("联系函日期"), null=True, blank=True)
    sent_on = models.DateField(_("转出日期"), null=True, blank=True)
    booked_on = models.DateField(_("转入记账日期"), null=True, blank=True)
    due_on = models.DateField(_("本步骤期限"), null=True, blank=True)
    amount = models.DecimalField(_("转移金额"), default=0, **MONEY)
    by_source = models.JSONField(_("按来源的金额"), default=dict, blank=True)
    contribution_years = models.PositiveSmallIntegerField(_("缴费年限"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("转移接续")
        verbose_name_plural = _("转移接续")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["requested", "accepted", "sent"]),
                name="transfer_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.from_village_id}→{self.to_village_id} {self.status}"


class LinkOutcome(models.TextChoices):
    TO_EMPLOYEE = "to_employee", _("转入职工养老保险（城乡居保余额转出，终止城乡居保）")
    TO_RESIDENT = "to_resident", _("职工养老保险转入城乡居保（职保个人账户并入，年限合并）")


class LinkStatus(models.TextChoices):
    OPEN = "open", _("已登记，待办理")
    DONE = "done", _("已办结")


class SchemeLink(models.Model):
    """制度衔接: one person's case at the employee retirement age."""

    scope_field = "person__village_id"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    employee_years = models.PositiveSmallIntegerField(_("职保缴费年限"))
    required_years = models.DecimalField(
        _("职保最低缴费年限"), max_digits=4, decimal_places=1, default=15
    )
    employee_balance = models.DecimalField(_("职保个人账户余额"), default=0, **MONEY)
    # months paid in both schemes, by year: {"2019": 6}
    overlap_months = models.JSONField(_("重复缴费月数（按年度）"), default=dict, blank=True)
    outcome = models.CharField(_("衔接方式"), max_length=12, choices=LinkOutcome.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=LinkStatus.choices, default=LinkStatus.OPEN
    )
    resident_years = models.PositiveSmallIntegerField(_("城乡居保缴费年限（衔接后）"), default=0)
    refund = models.DecimalField(_("退还个人（个人缴费+集体补助）"), default=0, **MONEY)
    subsidy_reversed = models.DecimalField(_("冲回政府补贴"), default=0, **MONEY)
    moved_out = models.DecimalField(_("转出职保金额"), default=0, **MONEY)
    explanation = models.JSONField(_("计算过程"), default=list, blank=True)
    decided_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("制度衔接")
        verbose_name_plural = _("制度衔接")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person"], name="scheme_link_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.outcome} {self.status}"


class Holiday(models.Model):
    """A day of the official calendar (dated data): a public holiday (法定节假日, no work) or a
    weekend made a working day (调休上班). ``region`` empty: the whole country; else the
    region and everything under it (a local holiday). Transfer deadlines count working days
    with it (``services.calendar.working_days_after``)."""

    scope_field = "region_code"

    # 12-digit code of a county, city or province; "" for the whole country (seeded)
    region_code = models.CharField(_("适用区划（空为全国）"), max_length=12, blank=True)
    day = models.DateField(_("日期"))
    name = models.CharField(_("名称"), max_length=40)
    workday = models.BooleanField(_("调休上班"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="holiday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '全国'} {self.day} {self.name}"

"""Enrolment (参保登记) in the resident pension, its history and the grade chosen each year.

One ``Enrolment`` row per person and registration. Its ``status`` walks

    pending_township → pending_county → paying ⇄ paused → receiving → terminated
                 ↘ rejected       ↘ rejected        ↘ terminated

``EnrolmentEvent`` is the append-only history a clerk reads on the page (the audit trail
holds the same acts with request ids). ``EmployeeSchemeMember`` is the imported list of
people in the employee pension scheme, which bars enrolment (POLICY §2.1).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region


class EnrolmentStatus(models.TextChoices):
    PENDING_TOWNSHIP = "pending_township", _("待乡镇审核")
    PENDING_COUNTY = "pending_county", _("待县级审核")
    REJECTED = "rejected", _("已退回")
    PAYING = "paying", _("正常缴费")
    PAUSED = "paused", _("暂停缴费")
    RECEIVING = "receiving", _("领取待遇")
    TERMINATED = "terminated", _("终止")


# Statuses in which a person counts as enrolled; one enrolment per person among them.
ACTIVE_STATUSES = (
    EnrolmentStatus.PENDING_TOWNSHIP,
    EnrolmentStatus.PENDING_COUNTY,
    EnrolmentStatus.PAYING,
    EnrolmentStatus.PAUSED,
    EnrolmentStatus.RECEIVING,
)


class CloseReason(models.TextChoices):
    """注销登记 reasons (POLICY §2.8 item 1)."""

    DEATH = "death", _("死亡")
    NATIONALITY = "nationality", _("出国定居或丧失国籍")
    EMPLOYEE_SCHEME = "employee_scheme", _("参加职工养老保险")
    OTHER_PENSION = "other_pension", _("享受其他养老待遇")
    TRANSFER_OUT = "transfer_out", _("转出")
    DUPLICATE = "duplicate", _("重复参保")
    OTHER = "other", _("其他")


class PauseReason(models.TextChoices):
    EMPLOYEE_SCHEME = "employee_scheme", _("参加职保")
    UNREACHABLE = "unreachable", _("无法联系")
    IMPRISONED = "imprisoned", _("服刑")
    OTHER = "other", _("其他")


class Enrolment(models.Model):
    # Scoped by where the person lives now, not by ``village`` (the village the enrolment was
    # registered in, kept as recorded): when the county moves a person, the enrolment follows.
    scope_field = "person__village_id"

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="pension_enrolments"
    )
    village = models.ForeignKey(
        Region, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20, choices=EnrolmentStatus.choices)
    applied_on = models.DateField(_("申请日期"), default=timezone.localdate)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    full_time_student = models.BooleanField(_("在校学生"), default=False)
    first_grade = models.DecimalField(_("申请时选择的档次"), null=True, blank=True, **MONEY)
    township_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    township_checked_at = models.DateTimeField(null=True, blank=True)
    county_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county_checked_at = models.DateTimeField(null=True, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    rejection_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    pause_reason = models.CharField(
        _("暂停原因"), max_length=20, choices=PauseReason.choices, blank=True
    )
    closed_on = models.DateField(_("注销日期"), null=True, blank=True)
    close_reason = models.CharField(
        _("注销原因"), max_length=20, choices=CloseReason.choices, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("参保登记")
        verbose_name_plural = _("参保登记")
        ordering = ["village_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                name="enrolment_one_active_per_person",
            ),
        ]
        indexes = [models.Index(fields=["status", "village"], name="enrolment_status_village")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_status_display()}"


class EnrolmentEvent(models.Model):
    """One step in an enrolment's life; append-only."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("村级登记")
        TOWNSHIP_APPROVED = "township_approved", _("乡镇审核通过")
        COUNTY_APPROVED = "county_approved", _("县级审核通过")
        REJECTED = "rejected", _("退回")
        CHANGED = "changed", _("变更登记")
        GRADE = "grade", _("选择档次")
        PAUSED = "paused", _("暂停缴费")
        RESUMED = "resumed", _("恢复缴费")
        RECEIVING = "receiving", _("开始领取待遇")
        CLOSED = "closed", _("注销登记")

    scope_field = "enrolment__person__village_id"  # follows the person, like the enrolment

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("原因代码"), max_length=20, blank=True)
    detail = models.JSONField(_("内容"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("参保变动记录")
        verbose_name_plural = _("参保变动记录")


class GradeChoice(models.Model):
    """The grade (缴费档次) a person chose for one year; the lowest applies when there is none."""

    scope_field = "person__village_id"  # follows the person (``village``: as chosen)

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("缴费档次"), **MONEY)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("缴费档次选择")
        verbose_name_plural = _("缴费档次选择")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="grade_choice_unique"),
        ]


class EmployeeSchemeMember(models.Model):
    """A person the employee pension scheme (职工养老保险) reports as insured; bars enrolment."""

    scope_field = "region_id"

    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    employer = models.CharField(_("参保单位"), max_length=200, blank=True)
    since = models.DateField(_("参保日期"), null=True, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("导入区划"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("名单来源"), max_length=200, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("职工养老保险参保人员")
        verbose_name_plural = _("职工养老保险参保人员")

"""Regions, staff users and their scope, the audit trail, API tokens and job runs."""

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --------------------------------------------------------------------------- regions


# Every money column: yuan with two decimal places (DESIGN.md, "Money").
MONEY = {"max_digits": 14, "decimal_places": 2}


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村")


# Significant digits of a 12-digit statistical code at each level: 2 province, 2 city,
# 2 county, 3 township, 3 village.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class Region(models.Model):
    """One node of the province → city → county → township → village tree.

    The primary key is the 12-digit statistical code, so every resident-level table carries
    the code itself and scoping is a prefix match without a join.
    """

    scope_field = "code"

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]


# --------------------------------------------------------------------------- staff


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    COUNTY_CLERK = "county_clerk", _("县级经办员")
    FINANCE = "finance", _("财务")
    AUDITOR = "auditor", _("稽核员")
    LEADER = "leader", _("领导（只读）")
    TOWNSHIP_CLERK = "township_clerk", _("乡镇经办员")
    VILLAGE_ASSISTANT = "village_assistant", _("村协理员")


class User(AbstractUser):
    """A staff account: one role, one region scope (county, township or village)."""

    scope_field = "region_id"

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("管辖区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=False,
        help_text=_("管理员重置密码后为真：本人登录后先设置自己的新密码。"),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def scope_prefix(self) -> str:
        """The code prefix every query of this user is limited to.

        A user without a region (a superuser made by ``createsuperuser``) sees nothing until
        a region is assigned, except through the Django admin.
        """
        if self.region_id is None:
            return "-"  # matches no code; access.scope returns nothing for such a user anyway
        return self.region.prefix


# --------------------------------------------------------------------------- audit


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One write or one look at a person's record. Never updated or deleted.

    Written by ``jumin.core.audit.record`` inside the transaction of the act it records.
    """

    scope_field = "region_code"
    append_only = True  # jumin db-roles gives the application role SELECT and INSERT only

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("地址"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        # Few indexes: a roster import writes one entry per person. Scoping is a prefix
        # match on region_code (pattern ops, so LIKE 'prefix%' uses it under any collation);
        # actions are searched by exact value together with the time.
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(
                fields=["region_code"],
                name="audit_region_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


# --------------------------------------------------------------------------- API tokens


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


# --------------------------------------------------------------------------- jobs


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    # the process running it stopped (killed, machine restarted) and a new run replaced it;
    # a "running" run whose lease has lapsed is shown this way before it is replaced
    INTERRUPTED = "interrupted", _("中断")


# A job in one of these holds its natural key: a second start finds it instead of queuing.
ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobRun(models.Model):
    """Stored progress of one long operation, whether started from the web or the CLI.

    ``natural_key`` makes a job idempotent: while a run of a kind is queued or running, no
    second run of that kind with the same key can exist (a partial unique index, so two
    starts at the same moment make one run on SQLite and PostgreSQL alike). A running job
    holds a lease: ``worker`` names the process (host:pid), ``heartbeat_at`` is refreshed
    while it works; ``jumin.core.jobs`` tells a live run from a dead one.
    """

    scope_field = "region_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    natural_key = models.CharField(max_length=200, null=True, blank=True, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    stage = models.CharField(_("阶段"), max_length=100, blank=True)
    message = models.TextField(_("说明"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    worker = models.CharField(_("执行进程"), max_length=200, blank=True)
    # where the process can be checked from the same machine: boot id, pid namespace, pid,
    # start time (jumin.core.jobs.this_process); empty when unknown
    worker_process = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "natural_key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_once_per_key_while_active",
            ),
        ]

    @property
    def percent(self) -> int:
        return (
            int(self.done * 100 / self.total)
            if self.total
            else (100 if self.status == JobStatus.DONE else 0)
        )

    @property
    def is_dead(self) -> bool:
        """Marked running, but the process that ran it is gone (``jumin.core.jobs``)."""
        from jumin.core.jobs import run_is_dead

        return run_is_dead(self)

    @property
    def shown_status(self) -> str:
        """The status pages and the API show: a dead "running" run is "interrupted"."""
        return JobStatus.INTERRUPTED.value if self.is_dead else self.status

    @property
    def shown_status_label(self) -> str:
        return str(JobStatus(self.shown_status).label)

    @property
    def is_finished(self) -> bool:
        """Nothing more will happen to this run by itself (pages stop polling)."""
        return self.shown_status not in ACTIVE_JOB_STATUSES


def ancestor_codes(region_code: str) -> list[str]:
    """The 12-digit codes of the county, city and province above (or at) a region, nearest first."""
    codes = []
    for level in (RegionLevel.COUNTY, RegionLevel.CITY, RegionLevel.PROVINCE):
        length = PREFIX_LENGTH[level]
        if len(region_code) >= length:
            codes.append(region_code[:length].ljust(12, "0"))
    return codes

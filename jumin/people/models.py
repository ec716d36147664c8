"""Persons, households, special statuses with validity periods, duplicate reviews, imports."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import JobRun, Region, User


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class HukouType(models.TextChoices):
    AGRICULTURAL = "agricultural", _("农业")
    NON_AGRICULTURAL = "non_agricultural", _("非农业")
    UNIFIED = "unified", _("居民户口")


class Household(models.Model):
    """A household (户) in one village, known by its household number (户号) there."""

    scope_field = "village_id"

    village = models.ForeignKey(
        Region,
        verbose_name=_("村（社区）"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # led by the unique (village, number) index below
    )
    number = models.CharField(_("户号"), max_length=30)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        # One index for the household number in a village and for scoping by code prefix.
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"],
                name="household_unique_number",
                opclasses=["varchar_pattern_ops", "varchar_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}"


class Person(models.Model):
    """A resident. ``village_id`` is the 12-digit code every staff query is scoped by."""

    scope_field = "village_id"

    id_number = models.CharField(_("身份证号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    village = models.ForeignKey(
        Region,
        verbose_name=_("村（社区）"),
        on_delete=models.PROTECT,
        related_name="persons",
        db_index=False,  # led by the (village, name) index below
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    hukou_type = models.CharField(
        _("户籍类型"), max_length=20, choices=HukouType.choices, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    passbook_number = models.CharField(_("存折账号"), max_length=32, blank=True)
    # db_default: raw bulk inserts (roster import, demo, benchmark) that list older columns
    passbook_bank = models.CharField(_("存折开户行"), max_length=20, blank=True, db_default="")
    social_security_card_number = models.CharField(_("社保卡号"), max_length=32, blank=True)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("参保人")
        verbose_name_plural = _("参保人")
        # Three indexes serve every look-up: equality and prefix (LIKE 'x%') on the ID number,
        # on the village code (scoping) and on the name (search, suspected duplicates). On
        # PostgreSQL the pattern operator class makes a prefix match use the index whatever
        # the database collation, so no second "_like" index per column is needed; a million-
        # row roster import writes five indexes instead of ten. (SQLite ignores opclasses.)
        # Not a default-opclass index on name: for "name LIKE '王%' ORDER BY name LIMIT 50"
        # the planner would walk it in name order, filtering (1.2 s at a million persons, vs.
        # 50 ms for the pattern index and a sort of the matches).
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                name="person_unique_id_number",
                opclasses=["varchar_pattern_ops"],
                violation_error_message=_("该身份证号已经登记"),
            )
        ]
        indexes = [
            models.Index(
                fields=["village", "name"],
                name="person_village_name",
                opclasses=["varchar_pattern_ops", "varchar_ops"],
            ),
            models.Index(
                fields=["name", "birth_date"],
                name="person_name_birth_date",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # Fields a staff member may edit; the rest follow from the ID number.
    EDITABLE_FIELDS = (
        "name",
        "village_id",
        "household_id",
        "relation_to_head",
        "hukou_type",
        "phone",
        "passbook_number",
        "social_security_card_number",
        "death_date",
    )
    AUDITED_FIELDS = ("id_number", "sex", "birth_date", *EDITABLE_FIELDS)

    def snapshot(self) -> dict:
        return {field: getattr(self, field) for field in self.AUDITED_FIELDS}


class SpecialStatusKind(models.TextChoices):
    SEVERE_DISABILITY = "severe_disability", _("重度残疾人")
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance", _("低保对象")
    EXTREME_POVERTY = "extreme_poverty", _("特困人员")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("计生特殊家庭")
    POVERTY_MONITORED = "poverty_monitored", _("防返贫监测对象")


class SpecialStatusQuerySet(models.QuerySet):
    def in_force(self, *, on: datetime.date):
        return self.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class SpecialStatus(models.Model):
    """A special status in force from ``valid_from`` to ``valid_to`` (inclusive; open if null).

    ``detail`` qualifies the kind: the disability grade ("1".."4") for severe disability,
    "full" or "partial" for the subsistence allowance, the kind of family for family planning.
    """

    scope_field = "village_id"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="special_statuses")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=32, choices=SpecialStatusKind.choices)
    detail = models.CharField(_("等级/类型"), max_length=20, blank=True)
    valid_from = models.DateField(_("开始日期"))
    valid_to = models.DateField(_("结束日期"), null=True, blank=True)
    source = models.CharField(_("认定来源/文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpecialStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("特殊群体身份")
        verbose_name_plural = _("特殊群体身份")
        ordering = ["person_id", "kind", "valid_from"]
        indexes = [models.Index(fields=["kind", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="special_status_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "valid_from"], name="special_status_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.detail}".strip()


class DuplicateReview(models.Model):
    """A reviewed pair of suspected duplicates (same name and birth date, different ID).

    ``person_low`` has the smaller id so a pair is stored once.
    """

    class Decision(models.TextChoices):
        DIFFERENT_PEOPLE = "different_people", _("不是同一人")
        SAME_PERSON = "same_person", _("是同一人（待处理）")

    scope_field = "village_id"

    person_low = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_high = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("结论"), max_length=20, choices=Decision.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("疑似重复核查")
        verbose_name_plural = _("疑似重复核查")
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high"], name="duplicate_pair_once"
            )
        ]


class RosterImport(models.Model):
    """One roster file handed in for import; the JobRun carries its progress.

    ``file_sha256`` with the region and mode makes a re-submitted file find its earlier import.
    """

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("全部正确才导入")
        VALID_ONLY = "valid_only", _("只导入正确的行")

    scope_field = "region_id"

    job = models.OneToOneField(JobRun, on_delete=models.PROTECT, related_name="roster_import")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    stored_path = models.CharField(max_length=500)
    mode = models.CharField(_("导入方式"), max_length=20, choices=Mode.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    rows_total = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)

    class Meta:
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")
        ordering = ["-created_at"]

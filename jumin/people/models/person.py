"""Persons and their households."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import Region


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

"""What the pension keeps about its dues (应缴) beside collection's ``Due``: the plan, the
enrolment, the grade, the subsidies by level and the government-paid group; and the two runs
that make and credit them (``DueGeneration``: the yearly dues job; ``Posting``: crediting
confirmed dues to the personal accounts).

``ContributionDue`` is keyed on the due itself (one row per pension due). The due's
``subsidy`` is the sum of the four subsidy columns here, set together when the due is priced.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY, Region
from jumin.people.models import SpecialStatusKind

SCHEME = "pension"  # the code of the pension's dues in collection (``Due.scheme``)


class DueGeneration(models.Model):
    """One run of the yearly dues job for a county; re-running adds only what is missing."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    job = models.ForeignKey("core.JobRun", null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    personal_created = models.PositiveIntegerField(default=0)
    government_paid_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]


class Posting(models.Model):
    """One run that credits confirmed dues to personal accounts; re-running adds nothing."""

    scope_field = "region_id"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    job = models.ForeignKey("core.JobRun", null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_count = models.PositiveIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    amount_sum = models.DecimalField(default=0, **MONEY)

    class Meta:
        ordering = ["-created_at"]


class ContributionDueQuerySet(models.QuerySet):
    def create_due(self, **fields):
        """A pension due: collection's ``Due`` and its row here, in the caller's transaction.
        ``fields`` mixes both (``person``, ``year``, ``kind``, ``amount``, ``status`` … and
        ``plan``, ``grade``, ``subsidy_province`` …); returns the ``Due``."""
        from jumin.collection.models import Due

        own = {name: fields.pop(name) for name in CONTRIBUTION_FIELDS if name in fields}
        own.setdefault("grade", fields.get("amount"))
        subsidy = sum((Decimal(own.get(name) or 0) for name in SUBSIDY_FIELDS), Decimal("0.00"))
        if "village" not in fields and "village_id" not in fields:
            fields["village_id"] = fields["person"].village_id
        due = Due.objects.create(scheme=SCHEME, subsidy=subsidy, **fields)
        self.create(due=due, **own)
        return due


class ContributionDue(models.Model):
    scope_field = "due__person__village_id"

    due = models.OneToOneField(
        "collection.Due",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="contribution",
        verbose_name=_("应缴记录"),
    )
    enrolment = models.ForeignKey(
        "pension.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey("pension.ContributionPlan", on_delete=models.PROTECT, related_name="+")
    grade = models.DecimalField(_("缴费档次"), **MONEY)
    # Subsidies due with this contribution, fixed from the plan when the due is made.
    subsidy_province = models.DecimalField(_("省级补贴"), default=0, **MONEY)
    subsidy_city = models.DecimalField(_("市级补贴"), default=0, **MONEY)
    subsidy_county = models.DecimalField(_("县级补贴"), default=0, **MONEY)
    collective_subsidy = models.DecimalField(_("集体补助"), default=0, **MONEY)
    # The government-paid group (政府代缴) as codes: the special status kind and its detail.
    government_paid_kind = models.CharField(
        _("代缴类别"), max_length=32, choices=SpecialStatusKind.choices, blank=True
    )
    government_paid_detail = models.CharField(_("代缴等级/类型"), max_length=20, blank=True)
    generation = models.ForeignKey(
        DueGeneration, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The posting run that credited the due: its ledger inserts select the dues by this run,
    # so they act on exactly the set the run marked posted (a due confirmed while the chunk is
    # in progress waits for the next run). Always read with a due-id range, so no index of
    # its own (one less index for the posting to maintain).
    posting = models.ForeignKey(
        Posting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = ContributionDueQuerySet.as_manager()

    class Meta:
        verbose_name = _("城乡居保应缴")
        verbose_name_plural = _("城乡居保应缴")

    @property
    def government_paid_group(self) -> str:
        """The group as the pages and the API always showed it: "低保对象 full"."""
        return group_label(self.government_paid_kind, self.government_paid_detail)


SUBSIDY_FIELDS = ("subsidy_province", "subsidy_city", "subsidy_county", "collective_subsidy")
CONTRIBUTION_FIELDS = (
    "enrolment",
    "enrolment_id",
    "plan",
    "plan_id",
    "grade",
    *SUBSIDY_FIELDS,
    "government_paid_kind",
    "government_paid_detail",
    "generation",
    "generation_id",
    "posting",
    "posting_id",
)


def group_label(kind: str, detail: str) -> str:
    """``("dibao", "full")`` → ``"低保对象 full"``; "" without a kind."""
    if not kind:
        return ""
    label = str(SpecialStatusKind(kind).label) if kind in SpecialStatusKind.values else kind
    return f"{label} {detail}" if detail else label

"""Targets (任务数) and collection progress (征缴进度) per township and village.

Reads are set-based (one grouped query per table, grouped by the township or village part of
the region code) and always go through ``access.scope``. The counting follows the county
reports in ``seed/`` (see ``PROGRESS_COLUMNS``):

- 参保人数 (enrolled): approved enrolments that are active — paying, paused or receiving;
  registrations still waiting for the township or county are shown apart (待审核);
- 领取待遇人数 (receiving) and 应缴费人数 (enrolled − receiving, the people of paying age);
- 缴费人数 (paying): persons with a personal or government-paid due of the year that is
  paid, confirmed or posted;
- 参保缴费率 = 缴费人数 / 应缴费人数 (the xx区 report: 13 880 of 22 622 − 8 722 = 99.86 %);
- 个人缴费金额: the money paid on personal dues (paid amount, else the due amount);
- 完成率 = 缴费人数 / 任务数 (and 金额完成率 = 个人缴费金额 / 金额任务 when one is set);
- 最低档占比: of the persons paying a personal due, those at the plan's lowest grade;
- 政府代缴人数: persons with a government-paid due of the year (not cancelled).

Every count is by where the person lives now (a decision): a person the county moved to
another township counts there, with what they paid before the move — progress measures the
people a township serves against its target. The cash a township took stays its own in its
receipts, deposits and monthly reconciliation (``reconciliation``), which follow the money.

The targets themselves are written by ``jumin.reports.services.targets``.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.utils import timezone

from jumin.collection.models import Due, DueKind, DueStatus
from jumin.collection.rules import PAID_STATUSES
from jumin.core.access import in_scope, require, scope
from jumin.core.models import PREFIX_LENGTH, Region, RegionLevel
from jumin.core.money import of_aggregate
from jumin.core.parsing import year_or_default
from jumin.pension.models import (
    SCHEME,
    ContributionDue,
    ContributionGrade,
    Enrolment,
    EnrolmentStatus,
)
from jumin.reports.models import CollectionTarget

ENROLLED = (EnrolmentStatus.PAYING, EnrolmentStatus.PAUSED, EnrolmentStatus.RECEIVING)
PENDING = (EnrolmentStatus.PENDING_TOWNSHIP, EnrolmentStatus.PENDING_COUNTY)
PAID = PAID_STATUSES
ZERO = Decimal("0.00")

# (key, Chinese header) of a progress row, in page and export order.
PROGRESS_COLUMNS = (
    ("name", "区划"),
    ("code", "区划代码"),
    ("target_count", "任务数（人）"),
    ("enrolled", "参保人数"),
    ("receiving", "领取待遇人数"),
    ("paying_age", "应缴费人数"),
    ("paying", "缴费人数"),
    ("payment_rate", "参保缴费率（%）"),
    ("completion", "任务完成率（%）"),
    ("amount", "个人缴费金额（元）"),
    ("target_amount", "金额任务（元）"),
    ("amount_completion", "金额完成率（%）"),
    ("lowest_grade_share", "最低档占比（%）"),
    ("government_paid", "政府代缴人数"),
    ("pending", "待审核登记"),
)


@dataclass
class ProgressRow:
    code: str
    name: str
    enrolled: int = 0
    receiving: int = 0
    pending: int = 0
    paying: int = 0
    personal_payers: int = 0
    lowest_grade_payers: int = 0
    government_paid: int = 0
    amount: Decimal = ZERO
    target_count: int | None = None
    target_amount: Decimal | None = None
    has_children: bool = False

    @property
    def paying_age(self) -> int:
        return self.enrolled - self.receiving

    @property
    def payment_rate(self) -> Decimal | None:
        return percent(self.paying, self.paying_age)

    @property
    def completion(self) -> Decimal | None:
        return percent(self.paying, self.target_count)

    @property
    def amount_completion(self) -> Decimal | None:
        return percent(self.amount, self.target_amount)

    @property
    def lowest_grade_share(self) -> Decimal | None:
        return percent(self.lowest_grade_payers, self.personal_payers)

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key, _label in PROGRESS_COLUMNS}

    def add(self, other: "ProgressRow") -> None:
        for name in (
            "enrolled",
            "receiving",
            "pending",
            "paying",
            "personal_payers",
            "lowest_grade_payers",
            "government_paid",
            "amount",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ProgressReport:
    year: int
    region: Region  # the county or township whose parts are the rows
    rows: list[ProgressRow]
    total: ProgressRow
    parent: Region | None = None  # where "up" leads, if the user may go there
    years: list[int] = field(default_factory=list)

    @property
    def row_level(self) -> str:
        return "township" if self.region.level == RegionLevel.COUNTY else "village"


def percent(part, whole) -> Decimal | None:
    """``part / whole`` in per cent, one decimal, half-up; None when there is no whole."""
    if whole is None or not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def default_region_code(user) -> str:
    """Where a user's progress page starts: the county for county and township staff (a
    township clerk then sees the own township's row), the township for a village assistant
    (who sees the own village's row)."""
    code = user.region_id or ""
    if len(code) != 12:
        raise Http404
    if code[6:] == "000000" or code[9:] == "000":
        return code[:6] + "000000"
    return code[:9] + "000"


def progress_region(user, region_code: str | None) -> Region:
    """The county or township whose parts a user may list: inside the user's scope, or the
    region right above the user's own (its other parts are then left out). Else 404."""
    require(user, "progress.view")
    code = (region_code or "").strip() or default_region_code(user)
    region = Region.objects.filter(
        code=code, level__in=(RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
    ).first()
    if region is None or user.region_id is None:
        raise Http404
    own_parent = user.region.parent_id if user.region else None
    if not (in_scope(user, region.code) or region.code == own_parent):
        raise Http404
    return region


def progress_report(user, *, year: int, region_code: str | None = None) -> ProgressReport:
    """The progress rows of the parts (townships of a county, villages of a township) of a
    region, in the user's scope, with a totals row. A fixed handful of grouped queries,
    whatever the number of persons or dues."""
    region = progress_region(user, region_code)
    child_level = (
        RegionLevel.TOWNSHIP if region.level == RegionLevel.COUNTY else RegionLevel.VILLAGE
    )
    length = PREFIX_LENGTH[child_level]
    children = scope(Region.objects.filter(parent=region, level=child_level).order_by("code"), user)
    rows = {
        child.code[:length]: ProgressRow(
            code=child.code, name=child.name, has_children=child_level == RegionLevel.TOWNSHIP
        )
        for child in children
    }
    prefix = region.prefix

    # Counted where the persons live now (the scope of enrolments and dues): a township
    # gets credit for the people it serves, including those the county moved in this year.
    enrolments = (
        scope(Enrolment.objects.filter(person__village__pk__startswith=prefix), user)
        .annotate(unit=Substr("person__village_id", 1, length))
        .values("unit")
        .annotate(
            enrolled=Count("pk", filter=Q(status__in=ENROLLED)),
            receiving=Count("pk", filter=Q(status=EnrolmentStatus.RECEIVING)),
            pending=Count("pk", filter=Q(status__in=PENDING)),
        )
    )
    for item in enrolments:
        row = rows.get(item["unit"])
        if row is not None:
            row.enrolled, row.receiving, row.pending = (
                item["enrolled"],
                item["receiving"],
                item["pending"],
            )

    dues = scope(
        Due.objects.filter(scheme=SCHEME, year=year, person__village__pk__startswith=prefix), user
    )
    lowest = lowest_grade_filter(dues)
    paid = Q(status__in=PAID)
    personal = Q(kind=DueKind.PERSONAL)
    money = DecimalField(max_digits=14, decimal_places=2)
    aggregates = (
        dues.annotate(unit=Substr("person__village_id", 1, length))
        .values("unit")
        .annotate(
            paying=Count(
                "person",
                distinct=True,
                filter=paid & Q(kind__in=(DueKind.PERSONAL, DueKind.GOVERNMENT_PAID)),
            ),
            personal_payers=Count("person", distinct=True, filter=paid & personal),
            lowest_grade_payers=Count("person", distinct=True, filter=paid & personal & lowest),
            government_paid=Count(
                "person",
                distinct=True,
                filter=Q(kind=DueKind.GOVERNMENT_PAID) & ~Q(status=DueStatus.CANCELLED),
            ),
            amount=Coalesce(
                Sum(Coalesce("paid_amount", "amount"), filter=paid & personal),
                Value(ZERO),
                output_field=money,
            ),
        )
    )
    for item in aggregates:
        row = rows.get(item["unit"])
        if row is None:
            continue
        for name in (
            "paying",
            "personal_payers",
            "lowest_grade_payers",
            "government_paid",
        ):
            setattr(row, name, item[name])
        row.amount = of_aggregate(item["amount"])

    targets = CollectionTarget.objects.filter(
        year=year, region_id__in=[r.code for r in rows.values()]
    )
    for target in scope(targets, user):
        row = rows[target.region_id[:length]]
        row.target_count, row.target_amount = target.target_count, target.target_amount

    ordered = list(rows.values())
    # The total adds up the rows the user may see: for a township clerk on the county's page
    # (or a village assistant on the township's) that is their own area, and says so.
    covered = region if in_scope(user, region.code) else user.region
    total = ProgressRow(code=covered.code, name=f"{covered.name}合计")
    for row in ordered:
        total.add(row)
    if child_level == RegionLevel.TOWNSHIP:
        with_target = [row for row in ordered if row.target_count is not None]
        if with_target:
            total.target_count = sum(row.target_count for row in with_target)
        amounts = [row.target_amount for row in ordered if row.target_amount is not None]
        if amounts:
            total.target_amount = sum(amounts, ZERO)
    elif in_scope(user, region.code):  # the whole township is the user's: its target applies
        target = CollectionTarget.objects.filter(year=year, region_id=region.code).first()
        if target is not None:
            total.target_count, total.target_amount = target.target_count, target.target_amount
    parent = None
    if region.level == RegionLevel.TOWNSHIP and (
        in_scope(user, region.parent_id or "") or region.parent_id == user.region.parent_id
    ):
        parent = region.parent
    return ProgressReport(
        year=year,
        region=region,
        rows=ordered,
        total=total,
        parent=parent,
        years=progress_years(region, year),
    )


def lowest_grade_filter(dues) -> Q:
    """The pension due's grade equals the lowest grade of its own plan (one small query: the
    plans of a county's year are few)."""
    plan_ids = ContributionDue.objects.filter(due__in=dues).values("plan_id").distinct()
    lowest = (
        ContributionGrade.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(lowest=Min("amount"))
    )
    condition = Q(pk__isnull=True)  # matches nothing: no plan, no lowest grade
    for item in lowest:
        condition |= Q(contribution__plan_id=item["plan_id"], contribution__grade=item["lowest"])
    return condition


def progress_years(region: Region, year: int) -> list[int]:
    """Years for the selector: those with a target in the county, this year and next, and
    the year asked for."""
    county = region.code[:6]
    years = set(
        CollectionTarget.objects.filter(region__pk__startswith=county).values_list(
            "year", flat=True
        )
    )
    this_year = timezone.localdate().year
    years.update({this_year - 1, this_year, this_year + 1, year})
    return sorted(years, reverse=True)


# --------------------------------------------------------------------------- targets


@dataclass
class TargetRow:
    code: str
    name: str
    target_count: int | None
    target_amount: Decimal | None


def target_townships(user, *, year: int) -> tuple[Region, list[TargetRow]]:
    """The county administrator's target form: every township of the county with its
    target for ``year`` (None if not set)."""
    require(user, "target.set")
    county = Region.objects.filter(
        code=(user.region_id or "")[:6] + "000000", level=RegionLevel.COUNTY
    ).first()
    if county is None or not in_scope(user, county.code):
        raise Http404
    townships = scope(
        Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP).order_by("code"), user
    )
    targets = {
        target.region_id: target
        for target in CollectionTarget.objects.filter(year=year, region__parent=county)
    }
    return county, [
        TargetRow(
            code=township.code,
            name=township.name,
            target_count=getattr(targets.get(township.code), "target_count", None),
            target_amount=getattr(targets.get(township.code), "target_amount", None),
        )
        for township in townships
    ]


def this_year() -> int:
    return timezone.localdate().year


def parse_year(value) -> int:
    """A year from a query string; this year when empty. Anything else but a year 1900–2100
    raises ``core.parsing.InputError``, which pages answer with its Chinese message (400)."""
    return year_or_default(value, default=this_year())

"""A demo collection year on the demo county (``jumin demo-year``): every app's part in turn.

On a county built by ``jumin demo-data``: the pension's plan, enrolments, grade choices,
passbook banks and dues (``jumin.pension.demo``), township targets (here), receipt books
handed down to the demo village assistant, then the year's collection done through the
collection services up to the demo's today (``jumin.collection.demo.demo_collection``: the
bank round, cash receipts, deposits and their checks, bank statements, reconciliation), and
the posting of the confirmed dues to the personal accounts (``jumin.pension.demo``). The
reports app runs it because it is the one app that may use every other.

The demo happens in the demo year: its "today" is ``demo_today(year)`` (the system date when
it falls in the year, else 15 November), passed to every part as ``today``.

The same seed gives the same year, and a second run adds nothing (each part only adds what is
missing); one ``reports.demo.year`` audit entry records the counts of a run that added any.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from jumin.collection.demo import demo_books, demo_collection, demo_staff
from jumin.core import audit
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.medical.demo import demo_medical_enrolment
from jumin.medical.demo_claims import demo_medical_claims
from jumin.medical.services import fund_claims
from jumin.pension.demo import pension_dues, pension_posting, pension_year
from jumin.pension.demo_accounts import demo_accounts
from jumin.pension.demo_awards import demo_awards
from jumin.pension.demo_payroll import demo_payroll
from jumin.pension.models import Enrolment, EnrolmentStatus
from jumin.people.models import Person
from jumin.reports.models import CollectionTarget
from jumin.reports.registry import ReportsAction
from jumin.reports.services.targets import targets_set

TARGET_SHARE = 0.95  # a township's target: 95 % of its enrolled people of paying age
# The amount target per person of the count target, in lowest grades: the 定远县 report has
# 71.6 million yuan from 540 100 enrolled, about 1.3 times the 100-yuan lowest grade.
TARGET_AMOUNT_GRADES = Decimal("1.3")
DEMO_DAY_OUTSIDE_THE_YEAR = (11, 15)  # (month, day): the demo's today when not in the year


def demo_today(year: int, *, system_day: datetime.date | None = None) -> datetime.date:
    """The demo's "today": the system date when it falls in the demo year, else 15 November
    of the demo year. Every part of the demo year dates what it does on or before it."""
    system_day = system_day or timezone.localdate()
    if system_day.year == year:
        return system_day
    return datetime.date(year, *DEMO_DAY_OUTSIDE_THE_YEAR)


@dataclass
class DemoYearResult:
    county: Region
    year: int
    skipped: bool = False
    plan_created: bool = False
    paying: int = 0
    receiving: int = 0
    pending: int = 0
    events: int = 0
    grade_choices: int = 0
    passbook_banks: int = 0
    targets: int = 0
    books: int = 0
    dues: int = 0
    collection: dict[str, int] = field(default_factory=dict)
    entries: int = 0
    # what each later part added (awards, payroll, medical, ...): name → count
    parts: dict[str, int] = field(default_factory=dict)
    today: datetime.date | None = None
    notes: list[str] = field(default_factory=list)


def demo_year(
    *,
    county_code: str,
    year: int,
    seed: int,
    if_empty: bool = False,
    progress_bar=None,
    today: datetime.date | None = None,
    collection: bool = True,
) -> DemoYearResult:
    """Build (or complete) the demo collection year; see the module docstring.

    ``if_empty``: do nothing if the county has any enrolment already (``make demo`` run
    again). ``progress_bar``: an optional tqdm-like object (``update(n)``). ``today``: the
    demo's today (default ``demo_today(year)``). ``collection=False`` stops after the dues
    (the fault benchmark starts its own withholding from there).
    """
    today = today or demo_today(year)
    county = Region.objects.filter(code=county_code + "000000", level=RegionLevel.COUNTY).first()
    if county is None:
        raise ValidationError(
            f"没有县级区划{county_code}，先运行 jumin demo-data --county {county_code}"
        )
    persons_in_county = Person.objects.filter(village__pk__startswith=county_code)
    if not persons_in_county.exists():
        raise ValidationError(
            f"{county.name}还没有参保人，先运行 jumin demo-data --county {county_code}"
        )
    result = DemoYearResult(county=county, year=year, today=today)
    if if_empty and Enrolment.objects.filter(village__pk__startswith=county_code).exists():
        result.skipped = True
        return result
    with transaction.atomic():
        staff = demo_staff(county_code)
        plan = pension_year(
            result, county=county, year=year, seed=seed, staff=staff, progress_bar=progress_bar
        )
        lowest = min(plan.grades.values_list("amount", flat=True))
        result.targets = _targets(county_code, year, lowest, staff[Role.COUNTY_ADMIN])
        result.books = demo_books(year, staff, result.notes)
        result.dues = pension_dues(county, year, staff, result.notes)
        if collection:
            counts = demo_collection(
                county=county, year=year, seed=seed, staff=staff, notes=result.notes, today=today
            )
            result.collection = counts.as_dict()
            result.entries = pension_posting(county, year, staff, result.notes)
            _later_parts(result, county=county, year=year, seed=seed, staff=staff, today=today)
        added = (
            result.plan_created,
            result.paying + result.receiving + result.pending,
            result.grade_choices,
            result.passbook_banks,
            result.targets,
            result.books,
            result.dues,
            sum(result.collection.values()),
            result.entries,
            sum(result.parts.values()),
        )
        if not any(added):  # a run that adds nothing leaves no trace
            return result
        audit.record(
            actor=None,
            action=ReportsAction.DEMO_YEAR,
            obj=county,
            after={
                "county": county_code,
                "year": year,
                "seed": seed,
                "plan": plan.pk,
                "plan_created": result.plan_created,
                "paying": result.paying,
                "receiving": result.receiving,
                "pending": result.pending,
                "events": result.events,
                "grade_choices": result.grade_choices,
                "passbook_banks": result.passbook_banks,
                "targets": result.targets,
                "books": result.books,
                "dues": result.dues,
                "today": today,
                "collection": result.collection,
                "entries": result.entries,
                "parts": result.parts,
            },
        )
    return result


def _later_parts(result, *, county, year, seed, staff, today) -> None:
    """The parts after the posting, in the order they need each other: the accounts' history
    and interest before the awards (an award's balance is the ledger's), the awards before the
    payroll (which pays them), the medical enrolment before the claims. Each only adds what is
    missing; ``result.parts`` counts what each added."""
    common = {"county": county, "year": year, "seed": seed, "staff": staff, "notes": result.notes}
    result.parts["accounts"] = demo_accounts(**common, today=today)
    result.parts["awards"] = demo_awards(**common, today=today)
    result.parts["payroll"] = demo_payroll(**common, today=today)
    result.parts["medical_enrolment"] = demo_medical_enrolment(**common)
    result.parts["medical_claims"] = demo_medical_claims(**common)
    # the claims' settlements debit the pooled fund, as finance posts them
    if fund_claims.has_unposted(county_prefix=county.prefix, coverage_year=year):
        posting = fund_claims.post_settlements(
            acting_user=staff[Role.FINANCE], region_code=county.code, coverage_year=year
        )
        result.parts["medical_fund"] = posting.entry_count


def _targets(county_code: str, year: int, lowest: Decimal, admin: User) -> int:
    """A target for every township without one: 95 % of its enrolled people of paying age,
    and an amount target of 1.3 lowest grades per person of that, in whole hundreds."""
    set_already = CollectionTarget.objects.filter(year=year).values("region_id")
    townships = (
        Region.objects.filter(parent_id=county_code + "000000", level=RegionLevel.TOWNSHIP)
        .exclude(code__in=set_already)
        .values_list("code", flat=True)
    )
    counts = dict(
        Enrolment.objects.filter(village__pk__startswith=county_code)
        .filter(
            status__in=(
                EnrolmentStatus.PAYING,
                EnrolmentStatus.PENDING_TOWNSHIP,
                EnrolmentStatus.PENDING_COUNTY,
            )
        )
        .annotate(township=Substr("village_id", 1, 9))
        .values("township")
        .annotate(people=Count("pk"))
        .values_list("township", "people")
    )
    targets = {}
    for code in townships:
        people = counts.get(code[:9], 0)
        count = math.ceil(people * TARGET_SHARE)
        amount = (lowest * count * TARGET_AMOUNT_GRADES / 100).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        ) * 100
        targets[code] = (count, amount)
    if not targets:
        return 0
    changed = targets_set(acting_user=admin, year=year, targets=targets)
    return changed["created"] + changed["updated"]

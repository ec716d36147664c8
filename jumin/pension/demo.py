"""The pension's part of the demo collection year (``jumin demo-year``, run by
``jumin.reports.demo``).

On a county built by ``jumin demo-data``: the county's plan for the year (the seeded
national default if none is in force), enrolments for most eligible persons (16–59 paying,
60 and over receiving, a few still waiting for the township or county), grade choices with
the spread the county reports describe (most at the lowest grade), passbook banks, and the
year's dues (``services.dues.dues_generate``).

Every decision per person comes from a hash of (seed, purpose, ID number), so the same seed
gives the same year, and a second run adds nothing: persons already enrolled are skipped,
grade choices are only added where missing. Rows are written with ``bulk_create`` in chunks.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone

from jumin.collection.demo import chance, late_village
from jumin.collection.models import Due, DueStatus
from jumin.core.models import Region, Role
from jumin.pension.models import (
    ACTIVE_STATUSES,
    ContributionPlan,
    EmployeeSchemeMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GradeChoice,
)
from jumin.pension.services.dues import dues_generate
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.pension.services.posting import post_confirmed
from jumin.people.models import Person
from jumin.people.rules import age_on

CHUNK = 2000
PENSION_AGE = 60  # the age from which the demo enrols a person as receiving
SCHEME_START = datetime.date(2011, 7, 1)  # the demo's earliest registration date

# Shares of the demo year, modelled on COUNTY.md and the seed reports (参保率 ~99 % of those
# who register at all; most people choose the lowest grade).
ENROL_SHARE = 0.85
ENROL_SHARE_YOUNG = 0.55  # 16–22: many are still at school
RECEIVING_SHARE = 0.95
PENDING_TOWNSHIP_SHARE = 0.015
PENDING_COUNTY_SHARE = 0.010
# The demo township (where the demo township clerk works) gets more, so its queues show.
DEMO_TOWNSHIP_PENDING_SHARES = (0.12, 0.06)
PASSBOOK_BANK_SHARE = 1.0  # every passbook gets its bank
# Weights of the grades from the lowest up (the last weight repeats for higher grades).
GRADE_WEIGHTS = (70, 12, 6, 3, 4, 1, 1, 1, 0.5, 1.5, 0.3)
BANKS = ("农业银行", "邮储银行", "农商银行")


def day_between(seed: int, purpose: str, key: str, first, last) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=int(chance(seed, purpose, key) * (last - first).days))


def birthday(birth_date: datetime.date, years: int) -> datetime.date:
    """The day someone born on ``birth_date`` turns ``years`` (29 February → 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return datetime.date(birth_date.year + years, 3, 1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def pick_grade(seed: int, key: str, amounts: list[Decimal]) -> Decimal:
    weights = [GRADE_WEIGHTS[min(i, len(GRADE_WEIGHTS) - 1)] for i in range(len(amounts))]
    point = chance(seed, "grade", key) * sum(weights)
    for amount, weight in zip(amounts, weights, strict=True):
        point -= weight
        if point < 0:
            return amount
    return amounts[-1]


def pension_year(result, *, county: Region, year: int, seed: int, staff, progress_bar=None):
    """The plan (seeded when none is in force), enrolments, grade choices and passbook banks
    of the demo year, counted on ``result`` (a ``reports.demo.DemoYearResult``); returns
    the plan. Inside the caller's transaction."""
    county_code = county.code[:6]
    plan = ContributionPlan.objects.in_force(region_code=county.code, year=year)
    if plan is None:
        plan, result.plan_created = plan_seed(
            actor=staff[Role.COUNTY_ADMIN],
            year=year,
            region_code=county.code,
            data=plan_data_from_file(),
        )
    amounts = sorted(plan.grades.values_list("amount", flat=True))
    _enrol(result, county_code, year, seed, plan, amounts, staff, progress_bar)
    result.grade_choices = _grade_choices(county_code, year, seed, amounts, staff)
    result.passbook_banks = _passbook_banks(county_code, seed, late_village(county_code, staff))
    return plan


def pension_dues(county: Region, year: int, staff, notes: list[str]) -> int:
    """The year's dues through the dues job; the number created. Not run when every paying
    enrolment of the county has its due of the year already (a run is audited even when it
    makes nothing, and a second demo run leaves no trace)."""
    missing = (
        Enrolment.objects.filter(
            village__pk__startswith=county.code[:6], status=EnrolmentStatus.PAYING
        )
        .exclude(person_id__in=Due.objects.filter(year=year).values("person_id"))
        .exists()
    )
    if not missing:
        notes.append("应缴记录：新生成 0 条")
        return 0
    generation = dues_generate(
        acting_user=staff[Role.COUNTY_CLERK], region_code=county.code, year=year
    )
    created = generation.personal_created + generation.government_paid_created
    notes.append(f"应缴记录：新生成 {created} 条")
    return created


def pension_posting(county: Region, year: int, staff, notes: list[str]) -> int:
    """The year's confirmed dues credited to the personal accounts by county finance
    (``services.posting.post_confirmed``); the number of entries made. No run when there is
    nothing confirmed to post (a run records its ``Posting`` row even when empty)."""
    if not _confirmed_to_post(county, year):
        return 0
    posting = post_confirmed(acting_user=staff[Role.FINANCE], region_code=county.code, year=year)
    notes.append(
        f"记账：{posting.due_count} 条已核对的缴费记入个人账户，{posting.entry_count} 笔，"
        f"合计 {posting.amount_sum} 元"
    )
    return posting.entry_count


def _confirmed_to_post(county: Region, year: int) -> bool:
    return Due.objects.filter(
        village__pk__startswith=county.code[:6], year=year, status=DueStatus.CONFIRMED
    ).exists()


def _enrol(result, county_code, year, seed, plan, amounts, staff, progress_bar) -> None:
    """Enrolments and their events for the persons of the county not enrolled yet."""
    on = datetime.date(year, 1, 1)
    last_registration = datetime.date(year, 3, 31)
    assistant, township_clerk = staff[Role.VILLAGE_ASSISTANT], staff[Role.TOWNSHIP_CLERK]
    county_clerk = staff[Role.COUNTY_CLERK]
    demo_township = (township_clerk.region_id or "")[:9]
    enrolled = Enrolment.objects.filter(status__in=ACTIVE_STATUSES).values("person_id")
    employees = EmployeeSchemeMember.objects.values("id_number")
    candidates = (
        Person.objects.filter(village__pk__startswith=county_code, household__isnull=False)
        .exclude(pk__in=enrolled)
        .exclude(id_number__in=employees)
        .order_by("pk")
        .values_list("pk", "id_number", "birth_date", "death_date", "village_id")
    )
    new = []
    for pk, id_number, birth_date, death_date, village_id in candidates.iterator(chunk_size=CHUNK):
        if death_date is not None and death_date <= on:
            continue
        age = age_on(birth_date, on)
        if age < plan.minimum_age:
            continue
        share = RECEIVING_SHARE if age >= PENSION_AGE else ENROL_SHARE
        if age < 23:
            share = ENROL_SHARE_YOUNG
        if chance(seed, "enrol", id_number) >= share:
            continue
        if age >= PENSION_AGE:
            status = EnrolmentStatus.RECEIVING
        else:
            waiting = chance(seed, "pending", id_number)
            township_share, county_share = PENDING_TOWNSHIP_SHARE, PENDING_COUNTY_SHARE
            if village_id.startswith(demo_township):
                township_share, county_share = DEMO_TOWNSHIP_PENDING_SHARES
            if waiting < township_share:
                status = EnrolmentStatus.PENDING_TOWNSHIP
            elif waiting < township_share + county_share:
                status = EnrolmentStatus.PENDING_COUNTY
            else:
                status = EnrolmentStatus.PAYING
        sixteen = birthday(birth_date, plan.minimum_age)
        if status in (EnrolmentStatus.PENDING_TOWNSHIP, EnrolmentStatus.PENDING_COUNTY):
            applied = day_between(seed, "applied", id_number, on, last_registration)
            registered = None
        else:
            first = max(SCHEME_START, sixteen)
            applied = day_between(seed, "applied", id_number, first, last_registration)
            registered = applied + datetime.timedelta(days=7)
        grade = (
            pick_grade(seed, id_number, amounts) if status != EnrolmentStatus.RECEIVING else None
        )
        checked = status not in (EnrolmentStatus.PENDING_TOWNSHIP,)
        approved = registered is not None
        new.append(
            Enrolment(
                person_id=pk,
                village_id=village_id,
                status=status,
                applied_on=applied,
                applied_by=assistant,
                first_grade=grade,
                township_checked_by=township_clerk if checked else None,
                township_checked_at=at(applied + datetime.timedelta(days=3)) if checked else None,
                county_checked_by=county_clerk if approved else None,
                county_checked_at=at(registered) if approved else None,
                registered_on=registered,
                created_at=at(applied),
                updated_at=at(registered or applied),
            )
        )
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        Enrolment.objects.bulk_create(chunk)
        if progress_bar is not None:
            progress_bar.update(len(chunk))
    if any(enrolment.pk is None for enrolment in new):  # a database that returns no ids
        ids = dict(
            Enrolment.objects.filter(
                village__pk__startswith=county_code, status__in=ACTIVE_STATUSES
            ).values_list("person_id", "pk")
        )
        for enrolment in new:
            enrolment.pk = ids[enrolment.person_id]
    events = []
    kinds = EnrolmentEvent.Kind
    for enrolment in new:
        common = {"enrolment_id": enrolment.pk, "village_id": enrolment.village_id}
        events.append(
            EnrolmentEvent(
                kind=kinds.APPLIED,
                actor=assistant,
                at=at(enrolment.applied_on),
                detail={"grade": str(enrolment.first_grade or "")},
                **common,
            )
        )
        if enrolment.township_checked_at:
            events.append(
                EnrolmentEvent(
                    kind=kinds.TOWNSHIP_APPROVED,
                    actor=township_clerk,
                    at=enrolment.township_checked_at,
                    **common,
                )
            )
        if enrolment.county_checked_at:
            events.append(
                EnrolmentEvent(
                    kind=kinds.COUNTY_APPROVED,
                    actor=county_clerk,
                    at=enrolment.county_checked_at,
                    **common,
                )
            )
        if enrolment.status == EnrolmentStatus.RECEIVING:
            events.append(
                EnrolmentEvent(
                    kind=kinds.RECEIVING,
                    actor=county_clerk,
                    at=enrolment.county_checked_at,
                    **common,
                )
            )
        status = enrolment.status
        if status == EnrolmentStatus.PAYING:
            result.paying += 1
        elif status == EnrolmentStatus.RECEIVING:
            result.receiving += 1
        else:
            result.pending += 1
    EnrolmentEvent.objects.bulk_create(events, batch_size=CHUNK)
    result.events = len(events)


def _grade_choices(county_code, year, seed, amounts, staff) -> int:
    """This year's grade for every paying enrolment that has none yet."""
    chosen = GradeChoice.objects.filter(year=year).values("person_id")
    paying = (
        Enrolment.objects.filter(village__pk__startswith=county_code, status=EnrolmentStatus.PAYING)
        .exclude(person_id__in=chosen)
        .values_list("person_id", "village_id", "person__id_number", "first_grade", "applied_on")
    )
    assistant = staff[Role.VILLAGE_ASSISTANT]
    rows = []
    for person_id, village_id, id_number, first_grade, applied_on in paying.iterator(
        chunk_size=CHUNK
    ):
        amount = pick_grade(seed, f"{year}:{id_number}", amounts)
        if first_grade is not None and applied_on.year == year:
            amount = first_grade  # enrolled this year: the grade chosen on the form
        day = max(applied_on, datetime.date(year, 1, 2))
        rows.append(
            GradeChoice(
                person_id=person_id,
                village_id=village_id,
                year=year,
                amount=amount,
                chosen_by=assistant,
                chosen_at=at(min(day, datetime.date(year, 6, 30))),
            )
        )
    GradeChoice.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def _passbook_banks(county_code: str, seed: int, late: str | None = None) -> int:
    """The bank of each passbook, if the person model records it (``passbook_bank``); not
    in the ``late`` village, whose list comes after the first withholding round
    (``jumin.collection.demo``)."""
    try:
        bank_field = Person._meta.get_field("passbook_bank")
    except FieldDoesNotExist:
        return 0
    banks = [value for value, _label in bank_field.choices] if bank_field.choices else BANKS
    persons = list(
        Person.objects.filter(village__pk__startswith=county_code)
        .filter(Q(passbook_bank="") | Q(passbook_bank__isnull=True))
        .exclude(passbook_number="")
        .exclude(village_id=late or "")
        .only("pk", "id_number")
    )
    for person in persons:
        person.passbook_bank = banks[int(chance(seed, "bank", person.id_number) * len(banks))]
    Person.objects.bulk_update(persons, ["passbook_bank"], batch_size=500)
    return len(persons)

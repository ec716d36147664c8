"""The awards part of the demo county (``demo_awards``): the benefit standards (the national
central minimum as province rows, a county top-up of 10 from 2024), an active award for each
receiving enrolment without one, and applications waiting for review for the people turning
60 this month and next.

Set-based: a handful of queries and ``bulk_create`` in chunks, whatever the county's size; a
second run adds nothing (standards by (region, date), awards only for persons holding none).
``today`` is the demo's day (the demo year's December by default), never the system clock.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum

from jumin.core.models import Region, Role
from jumin.pension import rules
from jumin.pension.models import (
    HELD_STATUSES,
    AccountEntry,
    Award,
    AwardKind,
    AwardStatus,
    BenefitStandard,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
)
from jumin.pension.services.awards import contribution_years_of, people_query_for_month
from jumin.pension.services.benefits import seed_data, standards_seed
from jumin.people.rules import age_on

CHUNK = 2000
SCHEME_START = datetime.date(2011, 7, 1)
COUNTY_TOP_UP = Decimal("10.00")
TOP_UP_FROM = datetime.date(2024, 1, 1)
DEMO_GRADE = Decimal("100.00")
DEMO_SUBSIDY = Decimal("30.00")


def _standards(county: Region) -> int:
    data = seed_data()
    province = county.code[:2].ljust(12, "0")
    if not Region.objects.filter(pk=province).exists():
        return 0
    added = standards_seed(data=data, region_code=province)
    existing = set(
        BenefitStandard.objects.filter(region=county).values_list("effective_from", flat=True)
    )
    rows = [
        BenefitStandard(
            region=county,
            effective_from=row.effective_from,
            central_minimum=row.central_minimum,
            local_top_up=COUNTY_TOP_UP,
            extra_per_year=Decimal("1.00"),
            local_start=SCHEME_START,
            document_number="县级加发（示例）",
        )
        for row in BenefitStandard.objects.filter(
            region_id=province, effective_from__gte=TOP_UP_FROM
        )
        if row.effective_from not in existing
    ]
    BenefitStandard.objects.bulk_create(rows)
    return added + len(rows)


def _standard_at(county: Region, cache: dict, on: datetime.date):
    if on not in cache:
        cache[on] = BenefitStandard.objects.in_force(region_code=county.code, on=on)
    return cache[on]


def _receiving_awards(county: Region, staff, cache: dict) -> int:
    """An active award for each receiving enrolment of the county whose person holds none."""
    enrolments = list(
        Enrolment.objects.filter(
            village__pk__startswith=county.code[:6],
            status=EnrolmentStatus.RECEIVING,
            person__death_date__isnull=True,
        )
        .exclude(person__pension_awards__isnull=False)  # any award, even one ended by death
        .select_related("person")
    )
    ids = [enrolment.person_id for enrolment in enrolments]
    years = contribution_years_of(ids)
    balances = dict(
        AccountEntry.objects.filter(person_id__in=ids)
        .order_by()
        .values("person_id")
        .annotate(total=Sum("amount"))
        .values_list("person_id", "total")
    )
    clerk = staff[Role.COUNTY_CLERK]
    rows = []
    for enrolment in enrolments:
        person = enrolment.person
        start = rules.start_month_for(person.birth_date, local_start=SCHEME_START)
        standard = _standard_at(county, cache, start)
        if standard is None:
            continue
        basic_only = age_on(person.birth_date, SCHEME_START) >= rules.PENSION_AGE
        counted = min(years.get(person.pk, 0), standard.required_years)
        calculation = rules.pension_calculation(
            ledger_balance=balances.get(person.pk) or Decimal("0.00"),
            part_year_interest=Decimal("0.00"),
            interest_months=0,
            age=age_on(person.birth_date, start),
            standard=standard,
            contribution_years=0 if basic_only else counted,
            basic_only=basic_only,
        )
        rows.append(
            Award(
                person=person,
                enrolment=enrolment,
                village_id=person.village_id,
                kind=AwardKind.BASIC_ONLY if basic_only else AwardKind.TRANSITIONAL,
                status=AwardStatus.ACTIVE,
                start_month=start,
                contribution_years=calculation.contribution_years,
                account_balance=calculation.balance,
                divisor=calculation.divisor,
                account_pension=calculation.account_pension,
                basic_pension=calculation.basic_pension,
                explanation=calculation.explanation(),
                applied_on=start - datetime.timedelta(days=20),
                applied_by=clerk,
                decided_by=clerk,
                decided_on=start - datetime.timedelta(days=10),
            )
        )
    Award.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def _applications(county: Region, staff, today: datetime.date, cache: dict) -> int:
    """Applications waiting for review for the paying persons turning 60 this month and next,
    with their contribution history since the scheme's start booked where they have none."""
    this_month = today.replace(day=1)
    months = (this_month, rules.month_after(this_month))
    enrolments = []
    for month in months:
        enrolments += list(
            Enrolment.objects.filter(
                people_query_for_month(month, prefix="person__"),
                village__pk__startswith=county.code[:6],
                status=EnrolmentStatus.PAYING,
                person__death_date__isnull=True,
            )
            .exclude(person__pension_awards__status__in=HELD_STATUSES)
            .select_related("person")
        )
    ids = [enrolment.person_id for enrolment in enrolments]
    with_history = set(
        AccountEntry.objects.filter(person_id__in=ids, year__lt=today.year).values_list(
            "person_id", flat=True
        )
    )
    entries = []
    for enrolment in enrolments:
        person = enrolment.person
        if person.pk in with_history:
            continue
        for year in range(SCHEME_START.year, today.year):
            for source, amount in (
                (EntrySource.PERSONAL, DEMO_GRADE),
                (EntrySource.SUBSIDY_COUNTY, DEMO_SUBSIDY),
            ):
                entries.append(
                    AccountEntry(
                        person=person,
                        village_id=person.village_id,
                        year=year,
                        source=source,
                        amount=amount,
                        booked_on=datetime.date(year, 3, 31),
                    )
                )
    AccountEntry.objects.bulk_create(entries, batch_size=CHUNK)
    years = contribution_years_of(ids)  # what the ledger holds, whoever booked it
    assistant = staff[Role.VILLAGE_ASSISTANT]
    rows = []
    for enrolment in enrolments:
        person = enrolment.person
        start = rules.start_month_for(person.birth_date, applied_on=today, local_start=SCHEME_START)
        rows.append(
            Award(
                person=person,
                enrolment=enrolment,
                village_id=person.village_id,
                kind=AwardKind.NORMAL,
                status=AwardStatus.APPLIED,
                start_month=start,
                contribution_years=years.get(person.pk, 0),
                applied_on=today,
                applied_by=assistant,
            )
        )
    Award.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def demo_awards(
    *, county: Region, year: int, seed: int, staff, notes: list, today: datetime.date | None = None
) -> int:
    """Standards, awards of the receiving and this month's applications; the rows added."""
    today = today or datetime.date(year, 12, 1)
    cache: dict = {}
    standards = _standards(county)
    active = _receiving_awards(county, staff, cache)
    applied = _applications(county, staff, today, cache)
    notes.append(
        f"待遇标准：新增{standards}行；正常领取待遇：新增{active}人；待审核申请：{applied}人"
    )
    return standards + active + applied

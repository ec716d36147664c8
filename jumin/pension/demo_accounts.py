"""The personal accounts of the demo county (``demo_accounts``): crediting rates, the years
before the demo year, last year's interest and one transfer out in progress.

Run after the enrolments of the demo year (``pension.demo.pension_year``); the lead wires it
into ``jumin demo-year``. Only adds what is missing, so a second run adds nothing:

* the province's crediting rates, 1.5 % mode A (the one-year deposit benchmark since
  October 2015, POLICY §2.3), for 2015 up to the demo year, where a year has none;
* for each person enrolled (paying, paused or receiving) who has no entry of a year before
  the demo year, the contributions of the years from their registration (2015 at the
  earliest) to the year before the demo year, booked in April: the grade (mostly the
  lowest) and the county subsidy — the history a migrated county system brings; the
  persons turning 60 this month or next get theirs here too (the awards' demo adds none to
  a person who has any);
* the year-end interest of every year from 2015 to the year before the demo year, through the
  job itself (``interest_credit``; set-based, one entry per person and run);
* one transfer out of the county, accepted by the receiving county (凤阳县 341126, made if
  missing) and waiting for this county to send the money, its deadline shown.
"""

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from jumin.core.models import Region, RegionLevel, Role
from jumin.pension import rules
from jumin.pension.demo import chance
from jumin.pension.models import (
    AccountEntry,
    CreditingMode,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    InterestKind,
    InterestRate,
    InterestRun,
    Transfer,
    TransferStatus,
)
from jumin.pension.services.interest import interest_credit

FIRST_YEAR = 2015
RATE = Decimal("0.015")
CHUNK = 5000
HISTORY_GRADES = (Decimal("200"), Decimal("300"), Decimal("500"))
COUNTY_SUBSIDY = {
    Decimal("200"): Decimal("30"),
    Decimal("300"): Decimal("40"),
    Decimal("500"): Decimal("60"),
}
RECEIVING_COUNTY = ("341126000000", "凤阳县", "341126100000", "府城镇", "341126100001", "府城村")


def demo_accounts(
    *,
    county: Region,
    year: int,
    seed: int,
    staff,
    notes: list[str],
    today: datetime.date | None = None,
) -> int:
    """Rates, history, interest and a transfer (see the module doc); returns the rows added.
    ``today``: the demo's day the transfer is dated by (default: 2 November of a year before
    2026, else the clock)."""
    added = _rates(county, year)
    added += _history(county, year, seed)
    interest = AccountEntry.objects.filter(source=EntrySource.INTEREST)
    before = interest.count()
    credited = set(
        InterestRun.objects.filter(
            region=county, kind=InterestKind.YEAR_END, finished_at__isnull=False
        ).values_list("year", flat=True)
    )
    for each_year in range(FIRST_YEAR, year):
        if each_year not in credited:  # a finished year's run is not started again (no trace)
            interest_credit(acting_user=None, region_code=county.code, year=each_year)
    added += interest.count() - before
    added += _transfer(county, year, seed, staff, today)
    notes.append(f"个人账户：新增 {added} 条（含 {FIRST_YEAR}–{year - 1} 年利息）")
    return added


def _rates(county: Region, year: int) -> int:
    province = county.code[:2] + "0" * 10
    have = set(InterestRate.objects.filter(region_id=province).values_list("year", flat=True))
    rows = [
        InterestRate(
            region_id=province,
            year=each,
            rate=RATE,
            mode=CreditingMode.A,
            document_number="演示：一年期存款基准利率",
        )
        for each in range(FIRST_YEAR, year + 1)
        if each not in have
    ]
    InterestRate.objects.bulk_create(rows)
    return len(rows)


def _history(county: Region, year: int, seed: int) -> int:
    prefix = county.code[:6]
    last = year - 1
    with_history = AccountEntry.objects.filter(year__lt=year)
    enrolments = (
        Enrolment.objects.filter(
            person__village__pk__startswith=prefix,
            status__in=[EnrolmentStatus.PAYING, EnrolmentStatus.PAUSED, EnrolmentStatus.RECEIVING],
            registered_on__isnull=False,
        )
        .exclude(person_id__in=with_history.values("person_id"))
        .values_list("person_id", "person__village_id", "person__id_number", "registered_on")
        .order_by("person_id")
    )
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows, added = [], 0
    for person_id, village_id, id_number, registered_on in enrolments.iterator(chunk_size=CHUNK):
        grade_pick = chance(seed, "history-grade", id_number)
        grade = HISTORY_GRADES[0 if grade_pick < 0.8 else 1 if grade_pick < 0.93 else 2]
        for each in range(max(FIRST_YEAR, registered_on.year), last + 1):
            booked = ops.adapt_datefield_value(datetime.date(each, 4, 15))
            for source, amount in (
                (EntrySource.PERSONAL, grade),
                (EntrySource.SUBSIDY_COUNTY, COUNTY_SUBSIDY[grade]),
            ):
                rows.append(
                    (person_id, village_id, each, source.value, amount, booked, "", "", now)
                )
        if len(rows) >= CHUNK:
            added += _insert(rows)
            rows = []
    return added + _insert(rows)


def _insert(rows: list[tuple]) -> int:
    """The history rows in one ``executemany``: 40 000 entries of a 3 000-person county in
    well under a second, where ``bulk_create`` prepared every field of every row in Python."""
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {AccountEntry._meta.db_table} (person_id, village_id, year, source,"
                " amount, booked_on, movement, reason, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
    return len(rows)


def _receiving_village() -> Region:
    county_code, county_name, township_code, township_name, code, name = RECEIVING_COUNTY
    county, _ = Region.objects.get_or_create(
        code=county_code,
        defaults={
            "name": county_name,
            "level": RegionLevel.COUNTY,
            "parent_id": county_code[:4] + "0" * 8,
        },
    )
    township, _ = Region.objects.get_or_create(
        code=township_code,
        defaults={"name": township_name, "level": RegionLevel.TOWNSHIP, "parent": county},
    )
    village, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": RegionLevel.VILLAGE, "parent": township}
    )
    return village


def _transfer(county: Region, year: int, seed: int, staff, today=None) -> int:
    prefix = county.code[:6]
    if Transfer.objects.filter(from_village__pk__startswith=prefix).exists():
        return 0
    if not Region.objects.filter(code=county.code[:4] + "0" * 8).exists():
        return 0  # no city above the county to hang the receiving county on
    candidates = list(
        Enrolment.objects.filter(
            person__village__pk__startswith=prefix, status=EnrolmentStatus.PAYING
        )
        .values_list("person_id", "person__village_id", "person__id_number")
        .order_by("person_id")[:200]
    )
    if not candidates:
        return 0
    person_id, village_id, _ = min(candidates, key=lambda row: chance(seed, "transfer-out", row[2]))
    today = today or (datetime.date(year, 11, 2) if year < 2026 else None)
    from jumin.pension.services.enrolment import today as service_today

    on = today or service_today()
    requested = on - datetime.timedelta(days=20)
    accepted = rules.add_working_days(requested, 5)
    Transfer.objects.create(
        person_id=person_id,
        from_village_id=village_id,
        to_village=_receiving_village(),
        status=TransferStatus.ACCEPTED,
        requested_on=requested,
        accepted_on=accepted,
        due_on=rules.add_working_days(accepted, 15),
        created_by=staff[Role.COUNTY_ADMIN],
    )
    return 1

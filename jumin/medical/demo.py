"""Demo data of the resident medical insurance: enrolment and financing (H4).

``demo_medical_enrolment`` on a county with persons (``jumin demo-data``): the financing years
(seeded 2016–2026, the next year copied from the demo year), then

- coverage year ``year``: most living persons enrolled in the window of the year before and
  paid by the tax bureau there (covered from 1 January), a few enrolled and paid in the spring
  of ``year`` (outside the window: a waiting period), the groups medical assistance pays for
  funded; all confirmed, covered and posted to the pooled fund;
- coverage year ``year + 1``: the window open (September–November of ``year``): part of last
  year's insured enrolled, about half of those paid (not yet confirmed).

Deterministic (``chance``: a hash of seed, purpose and person) and set-based: chunked bulk
inserts, one ``UPDATE`` for the payments of a year. A second run adds nothing. Needs nothing of the
pension's demo: it only reads persons and special statuses.
"""

import datetime

from django.db.models import CharField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from jumin.collection.demo import chance
from jumin.collection.models import Channel, Due, DueKind, DueStatus, DueStep
from jumin.core.models import Region, Role
from jumin.medical.models import SCHEME, CoverageStatus, Financing, MedicalEnrolment
from jumin.medical.services.enrolment import coverage_update
from jumin.medical.services.financing import financing_copy, financing_seed
from jumin.medical.services.fund import post_confirmed
from jumin.medical.services.premiums import dues_make, load_rules
from jumin.people.models import Person

CHUNK = 5000
ENROLLED_SHARE = 0.93  # of the living persons, insured in the demo year
OUTSIDE_WINDOW_SHARE = 0.04  # of those, enrolled in the spring (a waiting period)
NEXT_YEAR_SHARE = 0.55  # of the insured, already enrolled for next year in the open window
NEXT_YEAR_PAID_SHARE = 0.5  # of those, paid


def _day(seed: int, purpose: str, key, first: datetime.date, last: datetime.date):
    span = (last - first).days
    return first + datetime.timedelta(days=int(chance(seed, purpose, key) * (span + 1)))


def demo_medical_enrolment(*, county: Region, year: int, seed: int, staff, notes: list[str]) -> int:
    """Add what is missing of the demo's medical enrolment and financing; returns how many
    rows it added (enrolments, dues and fund entries). See the module docstring."""
    added = financing_seed(acting_user=None, region_code=county.code)
    this_year = Financing.objects.in_force(region_code=county.code, year=year)
    if not Financing.objects.filter(region=county, coverage_year=year + 1).exists():
        financing_copy(acting_user=None, financing=this_year, coverage_year=year + 1)
        added += 1
    next_year = Financing.objects.in_force(region_code=county.code, year=year + 1)
    clerk = staff[Role.COUNTY_CLERK]
    living = Person.objects.filter(village__pk__startswith=county.prefix, death_date__isnull=True)

    # coverage year ``year``: in the window of the year before, a few in the spring
    window = (
        this_year.window_start,
        min(this_year.window_end, this_year.window_start.replace(month=11, day=30)),
    )
    spring = (datetime.date(year, 2, 1), datetime.date(year, 5, 31))

    def this_year_day(person_id):
        if chance(seed, "medical-outside", person_id) < OUTSIDE_WINDOW_SHARE:
            return _day(seed, "medical-spring", person_id, *spring)
        return _day(seed, "medical-window", person_id, *window)

    enrolled = _enrol(
        living,
        year,
        this_year,
        clerk,
        pick=lambda pid: chance(seed, "medical-enrol", pid) < ENROLLED_SHARE,
        day_of=this_year_day,
    )
    paid = _pay(county, year, everyone=True, seed=seed)
    _confirm(county, year, staff)
    covered = coverage_update(acting_user=None, region_code=county.code, coverage_year=year)
    posted = posting_amount = 0
    confirmed = Due.objects.filter(
        scheme=SCHEME, village__pk__startswith=county.prefix, year=year, status=DueStatus.CONFIRMED
    )
    if confirmed.exists():  # a posting run (a row and an audit entry) only when there is work
        posting = post_confirmed(acting_user=None, region_code=county.code, coverage_year=year)
        posted, posting_amount = posting.entry_count, posting.amount_sum

    # coverage year ``year + 1``: the window is open
    insured = living.filter(
        Exists(
            MedicalEnrolment.objects.filter(
                person_id=OuterRef("pk"), coverage_year=year, status=CoverageStatus.COVERED
            )
        )
    )
    next_window = (next_year.window_start, next_year.window_start.replace(month=11, day=25))
    renewed = _enrol(
        insured,
        year + 1,
        next_year,
        clerk,
        pick=lambda pid: chance(seed, "medical-renew", pid) < NEXT_YEAR_SHARE,
        day_of=lambda pid: _day(seed, "medical-next-window", pid, *next_window),
    )
    paid_next = _pay(county, year + 1, everyone=False, seed=seed)
    total = added + enrolled + renewed + paid + paid_next + covered + posted
    if enrolled or renewed or posted:
        fund = posting_amount
        notes.append(
            f"居民医保：{year}年度参保{enrolled}人（集中参保期外{OUTSIDE_WINDOW_SHARE:.0%}左右），"
            f"确定待遇享受{covered}人，记入统筹基金{fund}元；"
            f"{year + 1}年度集中参保期已开始，已登记{renewed}人、缴费{paid_next}笔"
        )
    return total


def _enrol(persons, coverage_year, financing, clerk, *, pick, day_of) -> int:
    """Enrol the persons ``pick`` keeps who have no enrolment for the year, on ``day_of``
    their id; dues made per chunk and registration day's statuses. Returns how many."""
    load_rules(financing)
    candidates = persons.exclude(
        Exists(
            MedicalEnrolment.objects.filter(person_id=OuterRef("pk"), coverage_year=coverage_year)
        )
    ).order_by("pk")
    count = 0
    last_id = 0
    while True:
        chunk = list(candidates.filter(pk__gt=last_id).values_list("pk", "village_id")[:CHUNK])
        if not chunk:
            return count
        last_id = chunk[-1][0]
        rows = [
            MedicalEnrolment(
                person_id=pid,
                village_id=village,
                coverage_year=coverage_year,
                enrolled_on=day_of(pid),
                created_by=clerk,
            )
            for pid, village in chunk
            if pick(pid)
        ]
        MedicalEnrolment.objects.bulk_create(rows, ignore_conflicts=True)
        fresh = list(
            MedicalEnrolment.objects.filter(
                coverage_year=coverage_year, person_id__in=[r.person_id for r in rows]
            ).exclude(
                Exists(
                    Due.objects.filter(
                        scheme=SCHEME, person_id=OuterRef("person_id"), year=coverage_year
                    )
                )
            )
        )
        dues_make(fresh, financing, on=financing.window_start)
        count += len(fresh)


def _pay(county: Region, coverage_year: int, *, everyone: bool, seed: int) -> int:
    """The open personal dues of the year paid through the tax bureau on the day their
    enrolment was made: one ``UPDATE`` (the day and the tax receipt taken from the enrolment
    in the statement). ``everyone=False`` pays about half (chosen by due, in chunks)."""
    enrolments = MedicalEnrolment.objects.filter(
        village__pk__startswith=county.prefix, coverage_year=coverage_year
    )
    dues = Due.objects.filter(
        scheme=SCHEME,
        year=coverage_year,
        kind=DueKind.PERSONAL,
        status=DueStatus.OPEN,
        person_id__in=Subquery(enrolments.values("person_id")),
    )
    if everyone:
        return _tax_paid(dues, coverage_year, county)
    ids = [
        pk
        for pk in dues.values_list("pk", flat=True).iterator(chunk_size=CHUNK)
        if chance(seed, "medical-next-paid", pk) < NEXT_YEAR_PAID_SHARE
    ]
    return sum(
        _tax_paid(Due.objects.filter(pk__in=ids[start : start + CHUNK]), coverage_year, county)
        for start in range(0, len(ids), CHUNK)
    )


def _tax_paid(dues, coverage_year: int, county: Region) -> int:
    enrolled_on = MedicalEnrolment.objects.filter(
        person_id=OuterRef("person_id"), coverage_year=coverage_year
    ).values("enrolled_on")[:1]
    return dues.transition(
        DueStep.TAX_PAID,
        channel=Channel.TAX,
        paid_amount=F("amount"),
        paid_on=Subquery(enrolled_on),
        payment_reference=Concat(
            Value(f"税票{county.prefix}-{coverage_year}-"),
            Cast("person_id", output_field=CharField()),
            output_field=CharField(),
        ),
    )


def _confirm(county: Region, coverage_year: int, staff) -> None:
    """The year's paid premiums confirmed, and the assistance fund's transfer for the
    government-paid (资助参保) dues."""
    now = timezone.now()
    of_county = Due.objects.filter(
        scheme=SCHEME, year=coverage_year, village__pk__startswith=county.prefix
    )
    of_county.filter(status=DueStatus.PAID).transition(DueStep.CONFIRM, at=now)
    government = of_county.filter(kind=DueKind.GOVERNMENT_PAID, status=DueStatus.OPEN)
    if government.exists():
        _government_funds(government, coverage_year, now)


def _government_funds(dues, coverage_year: int, now) -> int:
    return dues.transition(
        DueStep.GOVERNMENT_FUNDS,
        at=now,
        channel=Channel.GOVERNMENT,
        paid_amount=F("amount"),
        paid_on=datetime.date(coverage_year - 1, 12, 20),
        payment_reference=f"医疗救助资助参保{coverage_year}",
    )

"""Writes of medical enrolment (居民医保参保) by coverage year.

- ``enrolment_register``: one person for one coverage year (natural key person × year: a
  repeat returns the first enrolment and changes nothing), with its dues (``premiums``).
- ``enrolment_renew``: everyone of a county covered last year, alive and not yet enrolled,
  enrolled for ``coverage_year`` — set-based in chunks of persons, each chunk one transaction
  with its audit entry; a re-run (or the run after a crash) adds only what is missing.
- ``dues_paid``: collection's ``on_paid`` hook (``collection.schemes``): when a payment (bank,
  cash, tax, government funds) pays the last medical due of an enrolment, the enrolment
  becomes covered in that payment's transaction, as ``coverage_update`` below would.
- ``coverage_update``: the pending enrolments of a county and year whose dues are all paid
  become covered, with ``covered_from`` and ``waiting_reason`` from ``rules.waiting_period``
  (the payment day, the break years before, the years paid back). Chunked and idempotent.
- ``enrolment_cancel``: a pending enrolment is cancelled with its open dues.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from jumin.collection.counties import county_code_of, county_of
from jumin.collection.models import Due, DueKind, DueStatus, DueStep
from jumin.core import audit
from jumin.core.access import get_scoped_or_404, in_scope, require
from jumin.core.database import update_grouped
from jumin.medical import rules
from jumin.medical.models import SCHEME, CoverageStatus, MedicalEnrolment
from jumin.medical.registry import MedicalAction
from jumin.medical.services.financing import financing_for
from jumin.medical.services.premiums import dues_make, load_rules
from jumin.people.models import Person

CHUNK = 5000
PAID = (DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)
UNPAID = (DueStatus.OPEN, DueStatus.IN_BATCH)


def _check_year(coverage_year, on: datetime.date) -> int:
    try:
        coverage_year = int(coverage_year)
    except (TypeError, ValueError):
        raise ValidationError({"coverage_year": f"参保年度“{coverage_year}”不正确"}) from None
    if coverage_year not in (on.year, on.year + 1):
        raise ValidationError(
            {"coverage_year": f"只能登记{on.year}年度或{on.year + 1}年度的参保（当前日期{on}）"}
        )
    return coverage_year


def enrolment_register(
    *, acting_user, person: Person | int, coverage_year, on: datetime.date | None = None
) -> MedicalEnrolment:
    """Enrol ``person`` for ``coverage_year`` on ``on`` (default today) and make the dues.
    Out of scope: 404. Sent again: the enrolment made the first time, nothing added."""
    require(acting_user, "medical_enrolment.register")
    on = on or timezone.localdate()
    person_id = person.pk if isinstance(person, Person) else person
    person = get_scoped_or_404(Person.objects.all(), acting_user, pk=person_id)
    coverage_year = _check_year(coverage_year, on)
    if person.death_date is not None and person.death_date <= on:
        raise ValidationError({"person": f"{person.name}已死亡，不能参保"})
    if person.birth_date and person.birth_date > on:
        raise ValidationError({"person": f"{person.name}的出生日期晚于登记日期"})
    financing = load_rules(financing_for(person.village_id, coverage_year))
    with transaction.atomic():
        existing = (
            MedicalEnrolment.objects.select_for_update()
            .filter(person=person, coverage_year=coverage_year)
            .first()
        )
        if existing is not None and existing.status != CoverageStatus.CANCELLED:
            return existing
        try:
            with transaction.atomic():
                if existing is not None:  # a cancelled enrolment enrolled again
                    enrolment = existing
                    enrolment.status = CoverageStatus.PENDING
                    enrolment.enrolled_on = on
                    enrolment.village_id = person.village_id
                    enrolment.save()
                else:
                    enrolment = MedicalEnrolment.objects.create(
                        person=person,
                        village_id=person.village_id,
                        coverage_year=coverage_year,
                        enrolled_on=on,
                        created_by=acting_user,
                    )
        except IntegrityError:  # a concurrent request made it first
            return MedicalEnrolment.objects.get(person=person, coverage_year=coverage_year)
        dues_make([enrolment], financing, on=on)
        audit.record(
            actor=acting_user,
            action=MedicalAction.ENROLMENT_REGISTER,
            obj=enrolment,
            after={
                "person": person.pk,
                "coverage_year": coverage_year,
                "enrolled_on": on,
                "premium": enrolment.premium,
                "assistance": enrolment.assistance,
                "assistance_kind": enrolment.assistance_kind,
                "subsidy": enrolment.subsidy,
            },
        )
    return enrolment


def _county(acting_user, region_code, permission: str):
    county = county_of(region_code)
    require(acting_user, permission)
    if not in_scope(acting_user, county.code):
        raise ValidationError({"county": "只能办理本人管辖的县"})
    return county


def enrolment_renew(
    *, acting_user, region_code, coverage_year, on: datetime.date | None = None
) -> dict:
    """Enrol for ``coverage_year`` everyone of the county covered in the year before, alive
    and not enrolled yet (续保). Returns ``{"enrolled": n, "dues": n}``."""
    county = _county(acting_user, region_code, "medical_enrolment.renew")
    on = on or timezone.localdate()
    coverage_year = _check_year(coverage_year, on)
    financing = load_rules(financing_for(county.code, coverage_year))
    candidates = (
        Person.objects.filter(village__pk__startswith=county.prefix, death_date__isnull=True)
        .filter(
            Exists(
                MedicalEnrolment.objects.filter(
                    person_id=OuterRef("pk"),
                    coverage_year=coverage_year - 1,
                    status=CoverageStatus.COVERED,
                )
            )
        )
        .exclude(
            Exists(
                MedicalEnrolment.objects.filter(
                    person_id=OuterRef("pk"), coverage_year=coverage_year
                )
            )
        )
    )
    totals = {"enrolled": 0, "dues": 0}
    last_id = 0
    while True:
        chunk = list(
            candidates.filter(pk__gt=last_id).order_by("pk").values_list("pk", "village_id")[:CHUNK]
        )
        if not chunk:
            break
        last_id = chunk[-1][0]
        with transaction.atomic():
            MedicalEnrolment.objects.bulk_create(
                [
                    MedicalEnrolment(
                        person_id=person_id,
                        village_id=village_id,
                        coverage_year=coverage_year,
                        enrolled_on=on,
                        created_by=acting_user,
                    )
                    for person_id, village_id in chunk
                ],
                ignore_conflicts=True,
            )
            fresh = list(
                MedicalEnrolment.objects.filter(
                    coverage_year=coverage_year,
                    person_id__in=[person_id for person_id, _ in chunk],
                    status=CoverageStatus.PENDING,
                ).exclude(
                    Exists(
                        Due.objects.filter(
                            scheme=SCHEME, person_id=OuterRef("person_id"), year=coverage_year
                        )
                    )
                )
            )
            dues = dues_make(fresh, financing, on=on)
            audit.record(
                actor=acting_user,
                action=MedicalAction.ENROLMENT_RENEW,
                object_type="medical.medicalenrolment",
                object_id=f"{county.code}/{coverage_year}",
                object_label=f"{county.name}{coverage_year}年度批量续保",
                region_code=county.code,
                after={"first_person": chunk[0][0], "last_person": last_id, "enrolled": len(fresh)},
            )
        totals["enrolled"] += len(fresh)
        totals["dues"] += dues
    return totals


def _ready(enrolments):
    """Of these enrolments, the pending ones whose medical dues of the year are all paid, and
    whose person owes no back payment of an earlier year (``back_payment``: the enrolment
    waits for it, so the months it takes off are not lost to the order of payments)."""
    of_person = Due.objects.filter(scheme=SCHEME, person_id=OuterRef("person_id"))
    medical_dues = of_person.filter(year=OuterRef("coverage_year"))
    return (
        enrolments.filter(status=CoverageStatus.PENDING)
        .filter(Exists(medical_dues.filter(status__in=PAID)))
        .exclude(Exists(medical_dues.filter(status__in=UNPAID)))
        .exclude(
            Exists(
                of_person.filter(
                    kind=DueKind.BACK_PAYMENT,
                    year__lt=OuterRef("coverage_year"),
                    status__in=UNPAID,
                )
            )
        )
    )


def coverage_update(*, acting_user, region_code, coverage_year) -> int:
    """The county's pending enrolments of ``coverage_year`` whose dues are all paid become
    covered, with the covered-from date and its reason. Returns how many.

    Collection tells the scheme of every payment (``dues_paid``), so this finds nothing left
    to do in the ordinary run; it stays for the enrolments paid before that hook existed."""
    county = (
        _county(acting_user, region_code, "medical_enrolment.renew")
        if acting_user
        else (county_of(region_code))
    )
    enrolments = MedicalEnrolment.objects.filter(
        village__pk__startswith=county.prefix, coverage_year=int(coverage_year)
    )
    return _cover(enrolments, acting_user=acting_user)


def dues_paid(dues) -> int:
    """Collection's ``on_paid`` for the medical scheme: the enrolments of the medical dues
    just paid (``dues``, a queryset) whose dues are now all paid become covered, with the
    covered-from date and its reason, in the transaction of the payment. Told again of a due,
    it finds the enrolment covered already and changes nothing. Returns how many."""
    of_person = dues.filter(person_id=OuterRef("person_id"))
    touched = MedicalEnrolment.objects.filter(status=CoverageStatus.PENDING).filter(
        Exists(of_person.filter(year=OuterRef("coverage_year")))
        # a back payment of an earlier year may be the last due a pending enrolment waited for
        | Exists(of_person.filter(kind=DueKind.BACK_PAYMENT, year__lt=OuterRef("coverage_year")))
    )
    # Locked (in id order) before their dues are read: two payments of one enrolment's two
    # dues at once (the person's cash, the assistance fund's transfer) would otherwise each
    # see the other's due unpaid, and neither would cover it. The second waits for the first
    # to commit, then sees both paid.
    locked = list(touched.select_for_update().order_by("pk").values_list("pk", flat=True))
    if not locked:
        return 0
    return _cover(MedicalEnrolment.objects.filter(pk__in=locked), acting_user=None)


def _cover(enrolments, *, acting_user) -> int:
    """Cover the ready enrolments of ``enrolments`` (any counties and years), a chunk at a
    time, each chunk one transaction with one audit entry per county and year."""
    ready = _ready(enrolments)
    count = 0
    last_id = 0
    financings: dict[tuple[str, int], object] = {}
    while True:
        chunk = list(ready.filter(pk__gt=last_id).select_related("person").order_by("pk")[:CHUNK])
        if not chunk:
            break
        last_id = chunk[-1].pk
        groups: dict[tuple[str, int], list[MedicalEnrolment]] = {}
        for enrolment in chunk:
            key = (county_code_of(enrolment.village_id), enrolment.coverage_year)
            groups.setdefault(key, []).append(enrolment)
        with transaction.atomic():
            for (county_code, coverage_year), enrolments_of in groups.items():
                if (county_code, coverage_year) not in financings:
                    financings[county_code, coverage_year] = financing_for(
                        county_code, coverage_year
                    )
                count += _cover_group(
                    enrolments_of,
                    financings[county_code, coverage_year],
                    county_of(county_code),
                    coverage_year,
                    acting_user=acting_user,
                )
    return count


def _cover_group(chunk, financing, county, coverage_year: int, *, acting_user) -> int:
    person_ids = [e.person_id for e in chunk]
    paid_on = dict(
        Due.objects.filter(
            scheme=SCHEME, person_id__in=person_ids, year=coverage_year, status__in=PAID
        )
        .exclude(kind=DueKind.BACK_PAYMENT)
        .values("person_id")
        .annotate(day=Max("paid_on"))
        .values_list("person_id", "day")
    )
    covered: dict[int, list[int]] = {}
    for person_id, year in MedicalEnrolment.objects.filter(
        person_id__in=person_ids,
        coverage_year__lt=coverage_year,
        status=CoverageStatus.COVERED,
    ).values_list("person_id", "coverage_year"):
        covered.setdefault(person_id, []).append(year)
    back_paid: dict[int, set[int]] = {}
    for person_id, year in Due.objects.filter(
        scheme=SCHEME,
        person_id__in=person_ids,
        kind=DueKind.BACK_PAYMENT,
        year__lt=coverage_year,
        status__in=PAID,
    ).values_list("person_id", "year"):
        back_paid.setdefault(person_id, set()).add(year)
    for enrolment in chunk:
        # paid no earlier than enrolled (the assistance fund may transfer before)
        day = max(paid_on.get(enrolment.person_id) or enrolment.enrolled_on, enrolment.enrolled_on)
        breaks = rules.break_years_before(coverage_year, covered.get(enrolment.person_id, []))
        repaired = len(
            {y for y in back_paid.get(enrolment.person_id, set()) if y >= coverage_year - breaks}
        )
        enrolment.covered_from, enrolment.waiting_reason = rules.waiting_period(
            financing,
            coverage_year=coverage_year,
            enrolled_on=enrolment.enrolled_on,
            paid_on=day,
            break_years=breaks,
            back_paid_years=repaired,
            birth_date=enrolment.person.birth_date,
        )
        enrolment.paid_on = day
        enrolment.status = CoverageStatus.COVERED
    moved = MedicalEnrolment.objects.filter(
        pk__in=[e.pk for e in chunk], status=CoverageStatus.PENDING
    ).count()
    update_grouped(MedicalEnrolment, chunk, ["covered_from", "waiting_reason", "paid_on", "status"])
    audit.record(
        actor=acting_user,
        action=MedicalAction.ENROLMENT_COVER,
        object_type="medical.medicalenrolment",
        object_id=f"{county.code}/{coverage_year}",
        object_label=f"{county.name}{coverage_year}年度确定待遇享受起始日",
        region_code=county.code,
        after={"first": chunk[0].pk, "last": chunk[-1].pk, "covered": moved},
    )
    return moved


def enrolment_cancel(*, acting_user, enrolment: MedicalEnrolment, reason: str) -> MedicalEnrolment:
    """Cancel a pending enrolment (nothing paid yet) with its open dues."""
    require(acting_user, "medical_enrolment.register")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因"})
    with transaction.atomic():
        enrolment = get_scoped_or_404(
            MedicalEnrolment.objects.select_for_update(), acting_user, pk=enrolment.pk
        )
        if enrolment.status != CoverageStatus.PENDING:
            raise ValidationError(
                {"status": f"参保状态为“{enrolment.get_status_display()}”，不能撤销"}
            )
        dues = Due.objects.filter(
            scheme=SCHEME, person_id=enrolment.person_id, year=enrolment.coverage_year
        )
        if dues.filter(~Q(status__in=(DueStatus.OPEN, DueStatus.CANCELLED))).exists():
            raise ValidationError({"status": "已有缴费或代扣中的应缴，不能撤销"})
        dues.transition(DueStep.CANCEL)
        enrolment.status = CoverageStatus.CANCELLED
        enrolment.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=acting_user,
            action=MedicalAction.ENROLMENT_CANCEL,
            obj=enrolment,
            after={"status": enrolment.status},
            reason=reason[:200],
        )
    return enrolment

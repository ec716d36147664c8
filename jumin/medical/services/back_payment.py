"""Back-payment of missed coverage years (缴费修复, POLICY §3.2).

A person who re-enrols after a break may pay the premiums of the break years back: one due
per year (collection's kind ``back_payment``, ``Due.year`` the missed coverage year, collected
in the year it is made), each at that year's individual premium with no government subsidy
(POLICY §2.4: most provinces give none on back-paid years; the fund gets what the person
pays). Each year paid back takes one month off the variable waiting period
(``rules.waiting_period``) of the enrolment they re-enrol with.

The enrolment waits for them: while one of the person's back-payment dues is open, paying
the year's own premium does not cover it (``enrolment._ready``), and paying the last
back-payment due covers it (``enrolment.dues_paid``, told by collection) — so the reduction is
never lost to the order of the payments. Only a pending enrolment takes back payments: once
covered its covered-from date is settled (claims were judged against it).

``back_payment_make`` is idempotent: the natural key scheme × person × year × kind keeps one
due per missed year; asked again it makes nothing and returns the dues made the first time.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.collection.models import Due, DueKind, DueStatus
from jumin.core import audit
from jumin.core.access import get_scoped_or_404, require
from jumin.medical import rules
from jumin.medical.models import SCHEME, CoverageStatus, Financing, MedicalEnrolment
from jumin.medical.registry import MedicalAction


def break_years(enrolment: MedicalEnrolment) -> list[int]:
    """The coverage years without cover just before the enrolment's (the years it may pay
    back), oldest first; none for a first enrolment."""
    covered = MedicalEnrolment.objects.filter(
        person_id=enrolment.person_id,
        coverage_year__lt=enrolment.coverage_year,
        status=CoverageStatus.COVERED,
    ).values_list("coverage_year", flat=True)
    count = rules.break_years_before(enrolment.coverage_year, covered)
    return list(range(enrolment.coverage_year - count, enrolment.coverage_year))


def back_payment_make(
    *,
    acting_user,
    enrolment: MedicalEnrolment | int,
    years=None,
    on: datetime.date | None = None,
) -> list[Due]:
    """Make the back-payment dues of ``years`` (default: every break year) for a pending
    enrolment; returns the person's back-payment dues of those years. Out of scope: 404.
    Refused, naming the year, when a year is no break year or has no financing."""
    require(acting_user, "medical_enrolment.register")
    on = on or timezone.localdate()
    enrolment_id = enrolment.pk if isinstance(enrolment, MedicalEnrolment) else enrolment
    with transaction.atomic():
        enrolment = get_scoped_or_404(
            MedicalEnrolment.objects.select_for_update().select_related("person"),
            acting_user,
            pk=enrolment_id,
        )
        if enrolment.status != CoverageStatus.PENDING:
            raise ValidationError(
                {
                    "enrolment": f"{enrolment.coverage_year}年度参保状态为"
                    f"“{enrolment.get_status_display()}”，只有待缴费的参保可以补缴断保年度"
                }
            )
        missed = break_years(enrolment)
        if not missed:
            raise ValidationError(
                {"years": f"{enrolment.person.name}在{enrolment.coverage_year}年度前没有断保年度"}
            )
        years = _clean_years(years, missed)
        financing = {
            f.coverage_year: f
            for f in (
                Financing.objects.in_force(region_code=enrolment.village_id, year=year)
                for year in years
            )
            if f is not None
        }
        lacking = [year for year in years if year not in financing]
        if lacking:
            raise ValidationError(
                {"years": f"{'、'.join(map(str, lacking))}年度没有适用的居民医保筹资标准"}
            )
        Due.objects.bulk_create(
            [
                Due(
                    person_id=enrolment.person_id,
                    village_id=enrolment.person.village_id,
                    scheme=SCHEME,
                    year=year,
                    collected_in=on.year,
                    kind=DueKind.BACK_PAYMENT,
                    amount=financing[year].premium,
                )
                for year in years
            ],
            ignore_conflicts=True,
        )
        dues = list(
            Due.objects.filter(
                scheme=SCHEME,
                person_id=enrolment.person_id,
                kind=DueKind.BACK_PAYMENT,
                year__in=years,
            )
            .exclude(status=DueStatus.CANCELLED)
            .order_by("year")
        )
        audit.record(
            actor=acting_user,
            action=MedicalAction.BACK_PAYMENT_MAKE,
            obj=enrolment,
            after={
                "coverage_year": enrolment.coverage_year,
                "years": years,
                "amounts": {due.year: due.amount for due in dues},
            },
        )
    return dues


def _clean_years(years, missed: list[int]) -> list[int]:
    if years is None or years == []:
        return missed
    cleaned = []
    for year in years:
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ValidationError({"years": f"补缴年度“{year}”不正确"}) from None
        if year not in missed:
            span = f"{missed[0]}—{missed[-1]}" if len(missed) > 1 else f"{missed[0]}"
            raise ValidationError({"years": f"{year}年度不是断保年度（可补缴{span}年度）"})
        cleaned.append(year)
    return sorted(set(cleaned))

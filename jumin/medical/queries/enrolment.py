"""Reads of medical enrolment: who is covered on a day, and the scoped lists of the pages."""

import datetime

from jumin.medical.models import CoverageStatus, MedicalEnrolment


def coverage_on(person_id: int, day: datetime.date) -> MedicalEnrolment | None:
    """The person's enrolment that covers ``day``: coverage year ``day.year``, premium paid
    (status COVERED) and past the waiting period (``covered_from`` ≤ ``day``); None otherwise.

    Not scoped: claims (and hospitals through the API) check eligibility with it; the caller
    has already scoped the person or the hospital."""
    return (
        MedicalEnrolment.objects.filter(
            person_id=person_id,
            coverage_year=day.year,
            status=CoverageStatus.COVERED,
            covered_from__lte=day,
        )
        .order_by()
        .first()
    )

"""Reads of the medical enrolment. (H4 owns this module; ``coverage_on`` is the contract.)"""

import datetime

from jumin.medical.models import CoverageStatus, MedicalEnrolment


def coverage_on(person_id: int, day: datetime.date) -> MedicalEnrolment | None:
    """The person's enrolment that covers ``day``: covered, of ``day``'s year, and
    ``covered_from`` on or before ``day`` (past the waiting period); else None."""
    return (
        MedicalEnrolment.objects.filter(
            person_id=person_id,
            coverage_year=day.year,
            status=CoverageStatus.COVERED,
            covered_from__lte=day,
        )
        .order_by("pk")
        .first()
    )

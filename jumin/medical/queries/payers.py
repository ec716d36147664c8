"""What the medical scheme tells collection about who pays (``collection.schemes``): a person
pays while their enrolment of the due's coverage year (``Due.year``) is not cancelled."""

from django.db.models import Exists, OuterRef, QuerySet

from jumin.medical.models import CoverageStatus, MedicalEnrolment

LIVE = (CoverageStatus.PENDING, CoverageStatus.COVERED)


def bank_payers(dues: QuerySet) -> QuerySet:
    """Of these medical dues, those whose enrolment for the year still stands."""
    return dues.filter(
        Exists(
            MedicalEnrolment.objects.filter(
                person_id=OuterRef("person_id"),
                coverage_year=OuterRef("year"),
                status__in=LIVE,
            )
        )
    )


def roster(persons: QuerySet) -> QuerySet:
    """Of these persons, those with an enrolment still to pay (待缴费)."""
    return persons.filter(
        pk__in=MedicalEnrolment.objects.filter(status=CoverageStatus.PENDING).values("person_id")
    )

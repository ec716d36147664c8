"""What the pension tells collection about who pays (``collection.schemes``): a person pays
the pension while their enrolment is ``paying``."""

from django.db.models import QuerySet

from jumin.pension.models import Enrolment, EnrolmentStatus


def bank_payers(dues: QuerySet) -> QuerySet:
    """Of these pension dues, those whose enrolment still pays (a paused or closed enrolment's
    due stays out of bank withholding)."""
    return dues.filter(contribution__enrolment__status=EnrolmentStatus.PAYING)


def roster(persons: QuerySet) -> QuerySet:
    """Of these persons, those with a paying enrolment: the roster a village's month of cash
    is reconciled against."""
    return persons.filter(
        pk__in=Enrolment.objects.filter(status=EnrolmentStatus.PAYING).values("person_id")
    )

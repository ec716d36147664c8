"""What people lends core through ``registry.py``, so core draws its pages without importing
this app: persons counted per region (the region tree, the home page), the audit entries about
one person found by ID number (the audit page), and the names of a person's fields in the
audit trail. Each function reads only what the user's scope allows.
"""

from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast, Substr

from jumin.core.access import scope
from jumin.people.models import Person, SpecialStatus
from jumin.people.queries import FIELD_LABELS as AUDIT_FIELD_LABELS

__all__ = ["AUDIT_FIELD_LABELS", "audit_entries_of_person", "living_by_region", "persons_by_region"]


def _by_region(persons, user, under: str, length: int) -> dict[str, int]:
    grouped = (
        scope(persons.filter(village__pk__startswith=under), user)
        .annotate(key=Substr("village_id", 1, length))
        .values("key")
        .annotate(count=Count("id"))
        .values_list("key", "count")
    )
    return dict(grouped)


def persons_by_region(user, under: str, length: int) -> dict[str, int]:
    """Registered persons under ``under``, by the first ``length`` digits of their village."""
    return _by_region(Person.objects.all(), user, under, length)


def living_by_region(user, under: str, length: int) -> dict[str, int]:
    """Persons without a date of death, counted like ``persons_by_region``."""
    return _by_region(Person.objects.filter(death_date__isnull=True), user, under, length)


def audit_entries_of_person(user, id_number: str) -> Q | None:
    """The entries on the person with this ID number and on their special statuses, or
    ``None`` when no person in the user's scope has it."""
    number = id_number.strip().replace(" ", "").upper()
    person = scope(Person.objects.filter(id_number=number), user).first()
    if person is None:
        return None
    status_keys = (
        SpecialStatus.objects.filter(person=person)
        .annotate(key=Cast("pk", CharField(max_length=64)))
        .values("key")
    )
    return Q(object_type="people.person", object_id=str(person.pk)) | Q(
        object_type="people.specialstatus", object_id__in=status_keys
    )

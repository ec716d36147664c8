"""Reads on persons and households, always through ``access.scope``; a look at a person's detail
is audited."""

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from jumin.core import audit
from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import Region
from jumin.core.text import is_ascii_digits
from jumin.people.models import Household, Person
from jumin.people.registry import PeopleAction
from jumin.people.rules import IdNumberError, convert_15_to_18


def person_list(user) -> QuerySet:
    require(user, "person.view")
    return scope(Person.objects.all(), user)


def person_search(user, text: str, *, limit: int = 50) -> QuerySet:
    """Search by ID number (full or leading digits) or by name (leading characters).

    Prefix matches use the unique index on ``id_number`` and the index on ``name``.
    """
    text = (text or "").strip().replace(" ", "").upper()
    persons = person_list(user).select_related("village")
    if not text:
        return persons.none()
    if is_ascii_digits(text[0]):
        if len(text) in (15, 18):
            try:
                full = convert_15_to_18(text) if len(text) == 15 else text
            except (IdNumberError, ValueError):
                full = text
            return persons.filter(id_number=full)[:limit]
        return persons.filter(id_number__startswith=text).order_by("id_number")[:limit]
    return persons.filter(name__startswith=text).order_by("name", "id_number")[:limit]


def person_get(user, pk) -> Person:
    """A person in the user's scope, or 404. Does not audit: use ``person_view`` for pages."""
    return get_scoped_or_404(
        person_list(user).select_related("village", "village__parent", "household"), user, pk=pk
    )


def person_view(user, pk) -> Person:
    """A staff look at a person's record: fetched through the scope and written to the audit trail."""
    person = person_get(user, pk)
    audit.record(actor=user, action=PeopleAction.PERSON_VIEW, obj=person)
    return person


def person_find_by_id_number(user, id_number: str) -> Person | None:
    """The person with this exact ID number if the user may see them; ``None`` otherwise."""
    return person_list(user).filter(id_number=id_number).first()


def household_get(user, pk) -> Household:
    require(user, "person.view")
    return get_scoped_or_404(Household.objects.select_related("village"), user, pk=pk)


def household_members(user, household: Household) -> QuerySet:
    return person_list(user).filter(household=household).order_by("birth_date")


# --------------------------------------------------------------------------- export


def person_export_list(user, *, village: Region | None = None) -> QuerySet:
    """The persons of the Excel export (the user's scope, or one village of it), with what
    their rows show, in a stable order for reading in chunks."""
    persons = person_list(user).select_related("village", "village__parent", "household")
    if village is not None:
        persons = persons.filter(village=village)
    return persons.order_by("village_id", "pk")


# --------------------------------------------------------------------------- counts by region


def persons_by_region(user, under: str, length: int) -> dict[str, int]:
    """For the region tree and the home page (declared in ``registry.py``): registered persons
    in the user's scope under the code prefix ``under``, by the first ``length`` digits of their
    village; one query however many regions."""
    return _by_region(Person.objects.all(), user, under, length)


def living_by_region(user, under: str, length: int) -> dict[str, int]:
    """Persons without a date of death, counted like ``persons_by_region``."""
    return _by_region(Person.objects.filter(death_date__isnull=True), user, under, length)


def _by_region(persons, user, under: str, length: int) -> dict[str, int]:
    grouped = (
        scope(persons.filter(village__pk__startswith=under), user)
        .annotate(key=Substr("village_id", 1, length))
        .values("key")
        .annotate(count=Count("id"))
        .values_list("key", "count")
    )
    return dict(grouped)

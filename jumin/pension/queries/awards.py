"""Reading awards (待遇核定) and the monthly list of people turning 60, scoped to the user."""

import datetime
from dataclasses import dataclass

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.pension import rules
from jumin.pension.models import (
    HELD_STATUSES,
    Award,
    BenefitStandard,
    EmployeeSchemeMember,
    Enrolment,
)
from jumin.pension.services.awards import (
    AWARDABLE_ENROLMENTS,
    contribution_years_of,
    people_query_for_month,
)
from jumin.people.models import Person


@dataclass(frozen=True)
class TurningSixty:
    person: Person
    start_month: datetime.date
    eligibility: rules.Eligibility | None  # None: no benefit standard in force
    award: Award | None  # the award or application the person holds


def turning_60(user, *, month: datetime.date, village: str = "") -> list[TurningSixty]:
    """Persons in the user's scope whose 60th birthday falls in ``month`` (the first of it),
    alive, with their eligibility from the month after; a fixed number of queries."""
    require(user, "award.view")
    persons = scope(Person.objects.filter(people_query_for_month(month)), user)
    persons = persons.filter(death_date__isnull=True).select_related("village")
    if village:
        persons = persons.filter(village__pk__startswith=village)
    persons = list(persons.order_by("village_id", "birth_date", "pk"))
    ids = [person.pk for person in persons]
    years = contribution_years_of(ids)
    awards = {
        award.person_id: award
        for award in Award.objects.filter(person_id__in=ids, status__in=HELD_STATUSES)
    }
    employee = set(
        EmployeeSchemeMember.objects.filter(
            id_number__in=[person.id_number for person in persons]
        ).values_list("id_number", flat=True)
    )
    enrolled = set(
        Enrolment.objects.filter(person_id__in=ids, status__in=AWARDABLE_ENROLMENTS).values_list(
            "person_id", flat=True
        )
    )
    start = rules.month_after(month)
    standards: dict[str, BenefitStandard | None] = {}
    rows = []
    for person in persons:
        county = person.village_id[:6]
        if county not in standards:
            standards[county] = BenefitStandard.objects.in_force(
                region_code=person.village_id, on=start
            )
        standard = standards[county]
        person_start = rules.start_month_for(
            person.birth_date, local_start=standard.local_start if standard else None
        )
        eligibility = None
        if standard is not None:
            eligibility = rules.award_eligibility(
                birth_date=person.birth_date,
                on=person_start,
                death_date=person.death_date,
                local_start=standard.local_start,
                required_years=standard.required_years,
                contribution_years=years.get(person.pk, 0),
                holds_award=person.pk in awards,
                other_pension=person.id_number in employee,
                enrolled=person.pk in enrolled,
            )
        rows.append(TurningSixty(person, person_start, eligibility, awards.get(person.pk)))
    return rows


def award_list(user, *, status: str = "", village: str = "", start_month=None):
    require(user, "award.view")
    awards = scope(Award.objects.select_related("person", "village"), user)
    if status:
        awards = awards.filter(status=status)
    if village:
        awards = awards.filter(village__pk__startswith=village)
    if start_month is not None:
        awards = awards.filter(start_month=start_month)
    return awards.order_by("village_id", "start_month", "pk")


def award_get(user, pk) -> Award:
    require(user, "award.view")
    return get_scoped_or_404(
        Award.objects.select_related("person", "village", "applied_by", "decided_by"), user, pk=pk
    )

"""Enrolments made the way the staff make them, through the services (the factories in
``factories.py`` write rows directly): an adult of working age, and the whole flow from the
village's registration to a paying enrolment."""

import datetime

from jumin.core.models import Role
from jumin.pension.models import Enrolment
from jumin.pension.services import enrolment as services
from jumin.testing.factories import PersonFactory


def adult(village, **extra):
    return PersonFactory(village=village, birth_date=datetime.date(1980, 5, 17), **extra)


def enrol_paying(staff, person, **extra) -> Enrolment:
    """Village registers (assistant of A1 if the person lives there, else the county clerk),
    township A's clerk or the county approves: the whole flow to paying."""
    village_user = (
        staff[Role.VILLAGE_ASSISTANT]
        if person.village_id.startswith(staff[Role.VILLAGE_ASSISTANT].scope_prefix)
        else staff[Role.COUNTY_CLERK]
    )
    enrolment, _ = services.enrolment_register(acting_user=village_user, person=person, **extra)
    enrolment = services.enrolment_township_approve(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment
    )
    return services.enrolment_county_approve(
        acting_user=staff[Role.COUNTY_CLERK], enrolment=enrolment
    )

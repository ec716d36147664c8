"""``{% load pension_enrolment %}{% enrolment_box person %}``: the 城乡居保 box on the person page.

A tag (not the person view) reads the enrolment, so the people app needs no pension import.
"""

from django import template

from jumin.core.access import can
from jumin.pension.models import ContributionPlan, EnrolmentStatus
from jumin.pension.queries import enrolment as queries
from jumin.pension.services import enrolment as services

register = template.Library()


@register.inclusion_tag("pension/enrolment_box.html", takes_context=True)
def enrolment_box(context, person):
    user = context.get("user")
    if user is None or not can(user, "enrolment.view"):
        return {"shown": False}
    year = services.today().year
    enrolment = queries.person_enrolment(user, person)
    active = enrolment is not None and enrolment.status in services.ACTIVE_STATUSES
    choice = queries.grade_choice_get(user, person, year)
    lowest = None
    if choice is None:
        plan = ContributionPlan.objects.in_force(region_code=person.village_id, year=year)
        grades = [grade.amount for grade in plan.grades.all()] if plan else []
        lowest = min(grades) if grades else None
    return {
        "shown": True,
        "person": person,
        "enrolment": enrolment,
        "active": active,
        "year": year,
        "choice": choice,
        "lowest": lowest,
        "can_register": not active and can(user, "enrolment.register"),
        "can_grade": active and can(user, "grade.choose"),
        "statuses": EnrolmentStatus,
    }

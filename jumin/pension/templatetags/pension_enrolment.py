"""``{% load pension_enrolment %}{% enrolment_box person %}``: the 城乡居保 box on the person page;
``{% benefit_links person %}``: the estimate and pension-application links (person page and
enrolment page).

A tag (not the person view) reads the enrolment, so the people app needs no pension import.
"""

from django import template

from jumin.core.access import can, scope
from jumin.pension import rules
from jumin.pension.models import (
    HELD_STATUSES,
    Award,
    ContributionPlan,
    EnrolmentStatus,
)
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


@register.inclusion_tag("pension/_benefit_links.html", takes_context=True)
def benefit_links(context, person):
    """``{% benefit_links person %}``: the links to the pension estimate and, for a person
    aged 60 or turning 60 by the end of next month who holds no pension, to applying (an
    application already made links to it instead)."""
    request = getattr(context, "request", None)  # inside enrolment_box the page's user is not a key
    user = context.get("user") or getattr(request, "user", None)
    if user is None:
        return {"shown": False}
    on = services.today()
    # as the application rule: taken from the month before the 60th birthday's month
    turning = rules.sixtieth_birthday(person.birth_date) < rules.month_after(rules.month_after(on))
    award = (
        scope(Award.objects.filter(person=person), user)
        .filter(status__in=HELD_STATUSES)
        .order_by("-pk")
        .first()
        if can(user, "award.view")
        else None
    )
    return {
        "shown": True,
        "person": person,
        "can_estimate": can(user, "estimate.run"),
        "can_apply": (
            turning and award is None and person.death_date is None and can(user, "award.apply")
        ),
        "award": award,
        "csrf_token": context.get("csrf_token"),
    }

"""Reads on a person's special statuses, through ``access.scope``."""

import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.people.models import Person, SpecialStatus


def special_status_list(user, person: Person, *, on: datetime.date) -> QuerySet:
    """The person's special statuses, each annotated ``is_in_force`` on the day ``on``."""
    require(user, "person.view")
    in_force = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return (
        scope(SpecialStatus.objects.filter(person=person), user)
        .annotate(is_in_force=ExpressionWrapper(in_force, output_field=BooleanField()))
        .order_by("kind", "-valid_from")
    )


def special_status_get(user, person: Person, pk) -> SpecialStatus:
    require(user, "person.view")
    return get_scoped_or_404(SpecialStatus.objects.filter(person=person), user, pk=pk)

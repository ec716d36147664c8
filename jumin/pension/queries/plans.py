"""Reads of the resident pension, always scoped to the user's region."""

from django.db.models import Q, QuerySet
from django.http import Http404

from jumin.core.access import require, scope
from jumin.pension.models import ContributionPlan, ancestor_codes


def plan_list(user) -> QuerySet:
    """Plans that apply to the user's region: those above it (province, city, its county)
    and those inside it. Nothing for a user without a region."""
    require(user, "plan.view")
    inside = scope(ContributionPlan.objects.all(), user)
    if user.region_id is None:
        return inside
    above = ContributionPlan.objects.filter(region_id__in=ancestor_codes(user.region_id))
    return ContributionPlan.objects.filter(
        Q(pk__in=inside.values("pk")) | Q(pk__in=above.values("pk"))
    ).select_related("region")


def plan_get(user, pk) -> ContributionPlan:
    try:
        return plan_list(user).get(pk=pk)
    except (ContributionPlan.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error

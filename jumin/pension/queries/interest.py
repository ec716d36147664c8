"""Reads of crediting rates, interest runs and their jobs, always through the user's scope."""

from django.db.models import QuerySet

from jumin.core.access import get_scoped_or_404, require, scope, user_county
from jumin.core.models import JobRun
from jumin.pension.models import InterestRate, InterestRun, ancestor_codes


def rate_list(user) -> QuerySet:
    """The rates that apply to the user's county: its own, its city's, its province's."""
    require(user, "account.view")
    county = user_county(user)
    if not county:
        return InterestRate.objects.none()
    return (
        InterestRate.objects.filter(region_id__in=ancestor_codes(county + "000000"))
        .select_related("region")
        .order_by("-year", "region_id")
    )


def run_list(user) -> QuerySet:
    require(user, "account.view")
    return scope(InterestRun.objects.select_related("region", "created_by"), user)


def job_get(user, pk, kinds) -> JobRun:
    require(user, "account.view")
    return get_scoped_or_404(JobRun.objects.filter(kind__in=kinds), user, pk=pk)

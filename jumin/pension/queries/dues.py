"""Reads of dues (应缴) and of the dues job's runs, always through ``access.scope``."""

from django.db.models import QuerySet

from jumin.collection.models import Due
from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import JobRun
from jumin.pension.jobs import DUES_JOB
from jumin.pension.models import SCHEME, DueGeneration

DUE_FILTERS = ("year", "status", "village", "kind", "channel")


def due_list(user, *, year=None, status="", village="", kind="", channel="") -> QuerySet:
    """The pension's dues in the user's scope, with their pension rows, filtered; ``village``
    is a region-code prefix (any level) of where the person lives now, like the scope."""
    require(user, "due.view")
    dues = scope(
        Due.objects.filter(scheme=SCHEME).select_related(
            "person", "person__village", "contribution"
        ),
        user,
    )
    if year:
        dues = dues.filter(year=year)
    if status:
        dues = dues.filter(status=status)
    if village:
        dues = dues.filter(person__village__pk__startswith=village)
    if kind:
        dues = dues.filter(kind=kind)
    if channel:
        dues = dues.filter(channel=channel)
    return dues.order_by("person__village_id", "person_id", "year", "kind", "pk")


def due_get(user, pk) -> Due:
    require(user, "due.view")
    return get_scoped_or_404(
        Due.objects.filter(scheme=SCHEME).select_related(
            "person", "person__village", "contribution"
        ),
        user,
        pk=pk,
    )


def generation_list(user, limit: int = 10) -> QuerySet:
    require(user, "due.view")
    return scope(DueGeneration.objects.select_related("region", "created_by", "job"), user)[:limit]


def dues_job_get(user, pk) -> JobRun:
    require(user, "due.view")
    return get_scoped_or_404(JobRun.objects.filter(kind=DUES_JOB), user, pk=pk)

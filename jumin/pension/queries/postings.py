"""Reads of posting runs (记账), always through ``access.scope``."""

from django.db.models import QuerySet

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import JobRun
from jumin.pension.jobs import POSTING_JOB
from jumin.pension.models import Posting


def posting_list(user) -> QuerySet:
    require(user, "account.view")
    return scope(Posting.objects.select_related("region", "created_by", "job"), user)


def posting_job_get(user, pk) -> JobRun:
    """A posting run's job in the user's scope, or 404."""
    require(user, "account.view")
    return get_scoped_or_404(JobRun.objects.filter(kind=POSTING_JOB), user, pk=pk)

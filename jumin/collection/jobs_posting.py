"""Background posting run (记账) started from the page or the API (run by ``jumin worker``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.jobs import Progress
from jumin.core.models import JobRun, JobStatus

POSTING_JOB = "collection.posting"
STALE_AFTER = datetime.timedelta(hours=6)


def posting_submit(*, acting_user, region_code, year: int) -> tuple[JobRun, bool]:
    """Queue a posting run for a county and year: (the job, whether it was queued now).

    While a run for the same county and year is queued or running (started in the last six
    hours) that run is returned, so a form sent twice starts one job; a finished run may be
    started again (it posts only what was confirmed since)."""
    from jumin.collection.statements import county_of

    require(acting_user, "posting.run")
    county = county_of(region_code)
    if not in_scope(acting_user, county.code):
        raise ValidationError({"county": "只能为本人管辖的县记账"})
    with transaction.atomic():
        running = (
            JobRun.objects.select_for_update()
            .filter(
                kind=POSTING_JOB,
                region=county,
                params__year=year,
                status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
                created_at__gte=timezone.now() - STALE_AFTER,
            )
            .first()
        )
        if running is not None:
            return running, False
        context = audit.current_context()
        run = JobRun.objects.create(
            kind=POSTING_JOB,
            region=county,
            created_by=acting_user,
            params={
                "year": year,
                "request_id": context.request_id,
                "ip_address": context.ip_address,
            },
        )
        transaction.on_commit(lambda: run_posting.enqueue(str(run.pk)))
    return run, True


@task()
def run_posting(job_id: str) -> dict:
    """Run a queued posting; a finished run delivered again does nothing."""
    from jumin.collection.posting import post_confirmed

    run = JobRun.objects.select_related("created_by", "created_by__region").get(pk=job_id)
    if run.status == JobStatus.DONE:
        return run.result
    params = run.params or {}
    progress = Progress(run)
    with audit.request_context(params.get("request_id"), params.get("ip_address")):
        try:
            post_confirmed(
                acting_user=run.created_by,
                region_code=run.region_id,
                year=params["year"],
                progress=progress,
            )
        except ValidationError as error:
            progress.fail("；".join(error.messages))
        except Exception as error:
            progress.fail(f"记账失败：{error}")
            raise
    return run.result

"""Background posting run (记账) started from the page or the API (run by ``jumin worker``)."""

from django.core.exceptions import ValidationError
from django_tasks import task

from jumin.collection.jobs import county_year_run, county_year_submit
from jumin.core import jobs
from jumin.core.access import in_scope, require
from jumin.core.models import JobRun

POSTING_JOB = "collection.posting"


def posting_submit(*, acting_user, region_code, year: int) -> tuple[JobRun, bool]:
    """Queue a posting run for a county and year: (the job, whether it was queued now).

    A form sent twice starts one run (see ``county_year_submit``); a finished, failed or
    interrupted run may be started again (it posts only what is not posted yet)."""
    from jumin.collection.statements import county_of

    require(acting_user, "posting.run")
    county = county_of(region_code)
    if not in_scope(acting_user, county.code):
        raise ValidationError({"county": "只能为本人管辖的县记账"})
    return county_year_submit(
        kind=POSTING_JOB,
        acting_user=acting_user,
        county_code=county.code,
        year=year,
        task_function=run_posting,
    )


@task(queue_name=jobs.COUNTY_QUEUE)
def run_posting(job_id: str) -> dict:
    """Run a queued posting; a finished run delivered again does nothing."""
    from jumin.collection.posting import post_confirmed

    return county_year_run(job_id, post_confirmed, "记账失败")

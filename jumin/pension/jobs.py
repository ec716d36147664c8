"""Background work of the pension app (run by ``jumin worker``): yearly county jobs.

The dues job and the posting run are both "one county, one year" jobs: a form or API call
sent twice (or by two people at the same moment) starts one run, a run delivered twice does
its work once, and a run whose process died is seen as interrupted and resumed by the next
start (``jumin.core.jobs``). Each job only names its kind and its function. They run on the
``county`` queue, so they never wait behind a township's roster import.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks import task

from jumin.collection.counties import county_code_of, county_of
from jumin.core import audit, jobs
from jumin.core.access import in_scope, require
from jumin.core.models import JobRun, JobStatus
from jumin.pension.registry import PensionAction
from jumin.pension.services.dues import dues_generate, plan_for_county
from jumin.pension.services.interest import interest_credit
from jumin.pension.services.ledger_check import ledger_check_run
from jumin.pension.services.posting import post_confirmed

DUES_JOB = PensionAction.DUES_GENERATE
POSTING_JOB = "pension.posting"
INTEREST_JOB = "pension.interest"
LEDGER_CHECK_JOB = "pension.ledger_check"


def county_year_key(county_code: str, year: int) -> str:
    """The natural key of a county-year job: one run per kind, county and year at a time."""
    return f"{county_code}:{int(year)}"


def county_year_submit(*, kind: str, acting_user, county_code: str, year: int, task_function):
    """Queue ``task_function`` for a county and year: (the job, whether it was queued now).

    While a run of the same kind for the same county and year is queued or running, that run
    is returned, so a form sent twice starts one job. A finished, failed or dead run may be
    started again: the jobs add only what is missing."""
    context = audit.current_context()
    return jobs.submit(
        kind=kind,
        natural_key=county_year_key(county_code, year),
        region_id=county_code,
        acting_user=acting_user,
        params={
            "year": year,
            "request_id": context.request_id,
            "ip_address": context.ip_address,
        },
        then=lambda run: transaction.on_commit(lambda: task_function.enqueue(str(run.pk))),
    )


def county_year_run(job_id: str, function, failure: str, *, period: str = "year") -> dict:
    """Run a queued county job of a year (or, with ``period="month"``, of a month) with its
    progress; a finished job delivered again does nothing, nor does one that another live
    worker holds or that was replaced. ``function(acting_user=, region_code=, year=,
    progress=)`` (or ``month=``) does the work."""
    run = JobRun.objects.select_related("created_by", "created_by__region").get(pk=job_id)
    if run.status == JobStatus.DONE or not jobs.claim(run):
        return run.result
    params = run.params or {}
    with (
        audit.request_context(params.get("request_id"), params.get("ip_address")),
        jobs.leased(run) as progress,
    ):
        try:
            function(
                acting_user=run.created_by,
                region_code=run.region_id,
                progress=progress,
                **{period: params[period]},
            )
        except ValidationError as error:
            progress.fail("；".join(error.messages))
        except jobs.JobLeaseLost:
            raise
        except Exception as error:
            progress.fail(f"{failure}：{error}")
            raise
    return run.result


def dues_generate_submit(*, acting_user, region_code: str, year: int) -> tuple[JobRun, bool]:
    """Queue the dues job for a county and year (see ``county_year_submit``)."""
    require(acting_user, "due.generate")  # the web and the API: always a staff member
    county = county_code_of(region_code)
    if not in_scope(acting_user, county):
        raise ValidationError({"county": "只能为本人管辖的县生成应缴记录"})
    plan_for_county(county, year)  # refuse now, not in the worker, when there is no plan
    return county_year_submit(
        kind=DUES_JOB,
        acting_user=acting_user,
        county_code=county,
        year=year,
        task_function=run_dues_generation,
    )


@task(queue_name=jobs.COUNTY_QUEUE)
def run_dues_generation(job_id: str) -> dict:
    """Run a queued dues job; a finished job delivered again does nothing."""
    return county_year_run(job_id, dues_generate, "生成失败")


def posting_submit(*, acting_user, region_code, year: int) -> tuple[JobRun, bool]:
    """Queue a posting run for a county and year: (the job, whether it was queued now).

    A form sent twice starts one run (see ``county_year_submit``); a finished, failed or
    interrupted run may be started again (it posts only what is not posted yet)."""
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
    return county_year_run(job_id, post_confirmed, "记账失败")


def interest_submit(*, acting_user, region_code, year: int) -> tuple[JobRun, bool]:
    """Queue the year-end interest of a county and year (see ``county_year_submit``); a
    finished run may be started again (it credits only who has no interest of the run)."""
    require(acting_user, "interest.run")
    county = county_of(region_code)
    if not in_scope(acting_user, county.code):
        raise ValidationError({"county": "只能为本人管辖的县计息"})
    return county_year_submit(
        kind=INTEREST_JOB,
        acting_user=acting_user,
        county_code=county.code,
        year=year,
        task_function=run_interest,
    )


@task(queue_name=jobs.COUNTY_QUEUE)
def run_interest(job_id: str) -> dict:
    """Run a queued year-end interest job; a finished run delivered again does nothing."""
    return county_year_run(job_id, interest_credit, "结息失败")


def ledger_check_submit(*, acting_user, region_code) -> tuple[JobRun, bool]:
    """Queue the ledger check of a county (all years): one at a time per county."""
    require(acting_user, "ledger.check")
    county = county_of(region_code)
    if not in_scope(acting_user, county.code):
        raise ValidationError({"county": "只能核对本人管辖的县"})
    return county_year_submit(
        kind=LEDGER_CHECK_JOB,
        acting_user=acting_user,
        county_code=county.code,
        year=0,
        task_function=run_ledger_check,
    )


@task(queue_name=jobs.COUNTY_QUEUE)
def run_ledger_check(job_id: str) -> dict:
    """Run a queued ledger check; its result (counts, first problems) stays on the job."""
    return county_year_run(job_id, ledger_check_run, "核对失败")


# --------------------------------------------------------------------------- payroll
# One job per county and month (natural key ``341125000000:2026-03``). A province's month is
# one job per county on the ``county`` queue; several workers take them in parallel, and a
# county's job delivered twice builds once (the payroll is one per county and month).

PAYROLL_JOB = "pension.payroll"


def payroll_key(county_code: str, month) -> str:
    return f"{county_code}:{month:%Y-%m}"


def payroll_submit(*, acting_user, region_code, month) -> tuple[JobRun, bool]:
    """Queue the payroll build of a county and month: (the job, whether it was queued now)."""
    from jumin.pension.services.payroll import parse_month, standard_for

    if acting_user is not None:
        require(acting_user, "payroll.build")
    county = county_of(region_code)
    if acting_user is not None and not in_scope(acting_user, county.code):
        raise ValidationError({"county": "只能为本人管辖的县生成发放表"})
    month = parse_month(month)
    if standard_for(county.code, month) is None:
        raise ValidationError({"month": f"{month:%Y年%m月}没有适用的基础养老金标准"})
    context = audit.current_context()
    return jobs.submit(
        kind=PAYROLL_JOB,
        natural_key=payroll_key(county.code, month),
        region_id=county.code,
        acting_user=acting_user,
        params={
            "month": f"{month:%Y-%m}",
            "request_id": context.request_id,
            "ip_address": context.ip_address,
        },
        then=lambda run: transaction.on_commit(lambda: run_payroll.enqueue(str(run.pk))),
    )


def province_payroll_submit(*, province_code: str, month) -> list[JobRun]:
    """The system queues one payroll job per county of a province (set-based per county);
    workers on the ``county`` queue take them in parallel. Counties without a basic-pension
    standard in force for the month are left out."""
    from jumin.core.models import Region, RegionLevel

    counties = Region.objects.filter(
        level=RegionLevel.COUNTY, code__startswith=province_code[:2]
    ).order_by("code")
    runs = []
    for county in counties:
        try:
            runs.append(payroll_submit(acting_user=None, region_code=county.code, month=month)[0])
        except ValidationError:
            continue  # a county without a standard in force has no payroll to build
    return runs


@task(queue_name=jobs.COUNTY_QUEUE)
def run_payroll(job_id: str) -> dict:
    """Build a county's payroll of a month; a finished job delivered again does nothing."""
    from jumin.pension.services.payroll import payroll_build

    return county_year_run(job_id, payroll_build, "生成失败", period="month")

"""``/api/interest``: the crediting rates that apply to the caller's county (read), the
interest runs, and starting the year-end interest (finance, county administrator)."""

from ninja import Router, Status

from jumin.core.access import user_county
from jumin.core.api import error_responses
from jumin.pension import jobs
from jumin.pension.api.schemas import InterestRunIn, InterestRunOut, JobStartOut, RateOut
from jumin.pension.queries import interest as queries

router = Router(tags=["pension"])


@router.get(
    "/rates", response={200: list[RateOut], **error_responses(401, 403)}, summary="记账利率"
)
def rates_endpoint(request):
    return [
        {
            "region_code": row.region_id,
            "region_name": row.region.name,
            "year": row.year,
            "rate": row.rate,
            "mode": row.mode,
            "document_number": row.document_number,
        }
        for row in queries.rate_list(request.user)[:500]
    ]


@router.get(
    "/runs", response={200: list[InterestRunOut], **error_responses(401, 403)}, summary="结息记录"
)
def runs_endpoint(request):
    return [
        {
            "id": run.pk,
            "region_code": run.region_id,
            "year": run.year,
            "kind": run.kind,
            "round": run.round,
            "rate": run.rate,
            "mode": run.mode,
            "entry_count": run.entry_count,
            "amount_sum": run.amount_sum,
            "reason": run.reason,
            "finished_at": run.finished_at,
            "job_id": str(run.job_id) if run.job_id else None,
        }
        for run in queries.run_list(request.user).order_by("-year", "-round", "-pk")[:500]
    ]


@router.post(
    "/runs",
    response={202: JobStartOut, **error_responses(401, 403, 422)},
    summary="开始年终结息（后台任务；进度见 /api/jobs/{job_id}）",
)
def run_start_endpoint(request, payload: InterestRunIn):
    run, started = jobs.interest_submit(
        acting_user=request.user, region_code=user_county(request.user), year=payload.year
    )
    return Status(202, {"job_id": str(run.pk), "status": run.status, "started_now": started})

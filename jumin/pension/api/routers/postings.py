"""``/api/postings``: the posting runs (记账) of the caller's county, and starting one."""

from ninja import Router, Status

from jumin.core.access import user_county
from jumin.core.api import error_responses
from jumin.pension import jobs
from jumin.pension.api.schemas import PostingIn, PostingOut, PostingStartOut
from jumin.pension.queries import postings as queries

router = Router(tags=["collection"])


@router.get("", response={200: list[PostingOut], **error_responses(401, 403)}, summary="记账记录")
def postings_endpoint(request):
    rows = queries.posting_list(request.user).order_by("-created_at")[:500]
    return [
        {
            "id": row.pk,
            "region_code": row.region_id,
            "year": row.year,
            "created_at": row.created_at,
            "due_count": row.due_count,
            "entry_count": row.entry_count,
            "amount_sum": row.amount_sum,
            "job_id": str(row.job_id) if row.job_id else None,
        }
        for row in rows
    ]


@router.post(
    "",
    response={202: PostingStartOut, **error_responses(401, 403, 422)},
    summary="开始记账（后台任务；进度见 /api/jobs/{job_id}）",
)
def posting_run_endpoint(request, payload: PostingIn):
    run, started = jobs.posting_submit(
        acting_user=request.user, region_code=user_county(request.user), year=payload.year
    )
    return Status(202, {"job_id": str(run.pk), "status": run.status, "started_now": started})

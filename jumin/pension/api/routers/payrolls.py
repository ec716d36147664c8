"""``/api/payrolls``: the county's monthly payrolls (待遇发放), their lines, building a month
(a background job) and approving one (maker-checker). Out of scope is 404."""

from ninja import Path, Query, Router, Status

from jumin.core.access import masked_for, user_county
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID, Paging, paginate
from jumin.pension import jobs
from jumin.pension.api.schemas import (
    JobStartOut,
    PayrollBuildIn,
    PayrollLinePage,
    PayrollOut,
)
from jumin.pension.queries import payroll as queries
from jumin.pension.services import payroll as services

router = Router(tags=["pension"])


def payroll_out(payroll) -> dict:
    return {
        "id": payroll.pk,
        "region_code": payroll.region_id,
        "month": f"{payroll.month:%Y-%m}",
        "status": payroll.status,
        "build_finished": payroll.build_finished,
        "line_count": payroll.line_count,
        "amount_sum": payroll.amount_sum,
        "failed_count": payroll.failed_count,
        "built_by": payroll.built_by.get_username() if payroll.built_by else None,
        "approved_by": payroll.approved_by.get_username() if payroll.approved_by else None,
        "approval_deadline": payroll.approval_deadline,
    }


@router.get("", response={200: list[PayrollOut], **error_responses(401, 403)}, summary="发放表")
def payrolls_endpoint(request):
    return [payroll_out(p) for p in queries.payroll_list(request.user)[:120]]


@router.post(
    "",
    response={202: JobStartOut, **error_responses(401, 403, 422)},
    summary="生成某月发放表（后台任务；进度见 /api/jobs/{job_id}）",
)
def payroll_build_endpoint(request, payload: PayrollBuildIn):
    run, started = jobs.payroll_submit(
        acting_user=request.user, region_code=user_county(request.user), month=payload.month
    )
    return Status(202, {"job_id": str(run.pk), "status": run.status, "started_now": started})


@router.get(
    "/{payroll_id}",
    response={200: PayrollOut, **error_responses(401, 403, 404, 422)},
    summary="一张发放表",
)
def payroll_endpoint(request, payroll_id: int = Path(..., ge=1, le=MAX_ID)):
    return payroll_out(queries.payroll_get(request.user, payroll_id))


@router.get(
    "/{payroll_id}/lines",
    response={200: PayrollLinePage, **error_responses(401, 403, 404, 422)},
    summary="发放明细",
)
def payroll_lines_endpoint(
    request, paging: Query[Paging], payroll_id: int = Path(..., ge=1, le=MAX_ID)
):
    payroll = queries.payroll_get(request.user, payroll_id)
    page = paginate(queries.payroll_lines(request.user, payroll).order_by("pk"), paging)
    return {
        "count": page.count,
        "results": [
            {
                "id": line.pk,
                "award_id": line.award_id,
                "name": line.person.name,
                "id_number": masked_for(request.user, "id_number", line.person.id_number),
                "village_code": line.village_id,
                "month_for": f"{line.month_for:%Y-%m}",
                "kind": line.kind,
                "basic": line.basic,
                "account_part": line.account_part,
                "from_account": line.from_account,
                "total": line.total,
                "status": line.status,
                "bank_reason": line.bank_reason,
            }
            for line in page.items
        ],
    }


@router.post(
    "/{payroll_id}/approve",
    response={200: PayrollOut, **error_responses(401, 403, 404, 422)},
    summary="审核发放表（须由生成人以外的工作人员）",
)
def payroll_approve_endpoint(request, payroll_id: int = Path(..., ge=1, le=MAX_ID)):
    payroll = queries.payroll_get(request.user, payroll_id)
    return payroll_out(services.payroll_approve(acting_user=request.user, payroll=payroll))

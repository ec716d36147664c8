"""``/api/deposits``: deposit slips, their township and county checks, and the overdue list.

Thin: each endpoint calls one query or service (``queries/deposits.py`` / ``services/deposits.py``); scoping
lives there, so a deposit outside the caller's region answers 404. Recording the same slip
(bank + slip number) with the same content again answers 200 with the stored deposit (201 when
new); the same slip with other content answers 422.
"""

from ninja import Path, Query, Router, Status

from jumin.collection.api.schemas import (
    DepositFilters,
    DepositIn,
    DepositOut,
    DepositPage,
    OverdueFilters,
    OverdueOut,
    ReturnIn,
)
from jumin.collection.models import Deposit
from jumin.collection.queries import deposits as queries
from jumin.collection.services import deposits as services
from jumin.core.access import require
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID, paginate

router = Router(tags=["collection"])


def deposit_out(deposit: Deposit) -> dict:
    return {
        "id": deposit.pk,
        "village_code": deposit.village_id,
        "bank": deposit.bank,
        "slip_number": deposit.slip_number,
        "deposited_on": deposit.deposited_on,
        "amount": deposit.amount,
        "depositor_name": deposit.depositor_name,
        "status": deposit.status,
        "receipt_ids": sorted(receipt.pk for receipt in deposit.receipts.all()),
        "recorded_at": deposit.recorded_at,
        "township_checked_at": deposit.township_checked_at,
        "county_checked_at": deposit.county_checked_at,
        "return_reason": deposit.return_reason,
    }


@router.get(
    "",
    response={200: DepositPage, **error_responses(401, 422)},
    summary="本辖区的缴存记录",
)
def deposits_endpoint(request, filters: Query[DepositFilters]):
    data = filters.model_dump(exclude={"offset", "limit"})
    deposits = queries.deposit_list(request.user, **data).prefetch_related("receipts")
    page = paginate(deposits, filters)
    return {"count": page.count, "results": [deposit_out(deposit) for deposit in page.items]}


@router.post(
    "",
    response={200: DepositOut, 201: DepositOut, **error_responses(400, 401, 403, 422)},
    summary="登记缴存（可安全重试：同一缴款单相同内容返回 200）",
)
def deposit_record_endpoint(request, payload: DepositIn):
    user = request.user
    require(user, "deposit.record")
    data = payload.model_dump()
    data["village"] = data.pop("village_code")
    before = Deposit.objects.filter(
        bank=data["bank"].strip(), slip_number=data["slip_number"].strip()
    ).first()
    deposit = services.deposit_record(acting_user=user, **data)
    repeated = before is not None and before.status == deposit.status and before.pk == deposit.pk
    return Status(200 if repeated else 201, deposit_out(queries.deposit_get(user, deposit.pk)))


@router.get(
    "/overdue",
    response={200: OverdueOut, **error_responses(401, 422)},
    summary="逾期清单：逾期未缴存的票据、逾期缴存、逾期未核对或逾期核对的缴存",
)
def overdue_endpoint(request, filters: Query[OverdueFilters]):
    report = queries.overdue_list(request.user, **filters.model_dump())
    return {
        "on": report.on,
        "rows": [
            {
                "kind": row.kind,
                "kind_label": row.kind_label,
                "township_code": row.township_code,
                "village_code": row.village_code,
                "reference": row.reference,
                "name": row.name,
                "amount": row.amount,
                "deadline": row.deadline,
                "days": row.days,
                "receipt_id": row.receipt_id,
                "deposit_id": row.deposit_id,
            }
            for row in report.rows
        ],
        "summary": [
            {
                "region_code": summary.code,
                "region_name": summary.name,
                "level": summary.level,
                "counts": summary.counts,
                "undeposited_amount": summary.undeposited_amount,
            }
            for summary in report.summary
        ],
    }


@router.get(
    "/{deposit_id}",
    response={200: DepositOut, **error_responses(401, 404, 422)},
    summary="一笔缴存",
)
def deposit_endpoint(request, deposit_id: int = Path(..., ge=1, le=MAX_ID)):
    return deposit_out(queries.deposit_get(request.user, deposit_id))


@router.post(
    "/{deposit_id}/check",
    response={200: DepositOut, **error_responses(401, 403, 404, 422)},
    summary="核对缴存：乡镇经办员做乡镇核对，县财务做县级核对",
)
def deposit_check_endpoint(request, deposit_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.user
    deposit = queries.deposit_get(user, deposit_id)
    services.deposit_check(acting_user=user, deposit=deposit)
    return deposit_out(queries.deposit_get(user, deposit.pk))


@router.post(
    "/{deposit_id}/return",
    response={200: DepositOut, **error_responses(400, 401, 403, 404, 422)},
    summary="退回缴存（写明原因；所含票据可重新登记缴存）",
)
def deposit_return_endpoint(
    request, payload: ReturnIn, deposit_id: int = Path(..., ge=1, le=MAX_ID)
):
    user = request.user
    deposit = queries.deposit_get(user, deposit_id)
    services.deposit_return(acting_user=user, deposit=deposit, reason=payload.reason)
    return deposit_out(queries.deposit_get(user, deposit.pk))

"""``/api/reconciliations``: monthly reconciliation and the government funds (the router is
declared in ``registry.py``). Reads go through the caller's scope (outside it: 404).
"""

from ninja import Path, Query, Router

from jumin.collection.api.schemas import (
    ComputeIn,
    DayReceiptOut,
    GovernmentPaidIn,
    GovernmentPaidOut,
    ReconciliationFilters,
    ReconciliationOut,
)
from jumin.collection.queries import reconciliation as queries
from jumin.collection.services import reconciliation as services
from jumin.core.access import user_county
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID, Date

reconciliations_router = Router(tags=["collection"])


# --------------------------------------------------------------------------- reconciliation


def reconciliation_out(row) -> dict:
    return {
        "id": row.pk,
        "region_code": row.region_id,
        "region_name": row.region.name,
        "month": row.month.strftime("%Y-%m"),
        "status": row.status,
        "roster_count": row.roster_count,
        "receipt_count": row.receipt_count,
        "receipt_sum": row.receipt_sum,
        "deposit_sum": row.deposit_sum,
        "statement_sum": row.statement_sum,
        "blocking_count": len(queries.blocking(row.differences)),
        "differences": row.differences,
        "computed_at": row.computed_at,
        "confirmed_at": row.confirmed_at,
        "confirmed_by": row.confirmed_by.get_username() if row.confirmed_by_id else None,
    }


@reconciliations_router.get(
    "", response={200: list[ReconciliationOut], **error_responses(401, 403, 422)}, summary="对账"
)
def reconciliations_endpoint(request, filters: Query[ReconciliationFilters]):
    rows = queries.reconciliation_list(
        request.user, month=filters.month, region=filters.region or ""
    )
    return [reconciliation_out(row) for row in rows[:500]]


@reconciliations_router.get(
    "/day",
    response={200: list[DayReceiptOut], **error_responses(401, 403, 422)},
    summary="某一天开出的票据及其缴存、到账情况（默认今天）",
)
def reconciliation_day_endpoint(
    request, on: Date | None = None, region: str | None = Query(None, max_length=12)
):
    from django.utils import timezone

    rows = queries.receipts_of_day(request.user, on or timezone.localdate(), region=region or "")
    return [
        {
            "reference": row["reference"],
            "village_code": row["village"].code,
            "village_name": row["village"].name,
            "person_name": row["person_name"],
            "payer": row["payer"],
            "amount": row["receipt"].amount,
            "issued_at": row["receipt"].issued_at,
            "deposit_slip": row["receipt"].deposit.slip_number
            if row["receipt"].deposit_id
            else None,
            "deposit_state": row["deposit_state"],
            "money_checked": row["money_checked"],
        }
        for row in rows
    ]


@reconciliations_router.post(
    "",
    response={200: ReconciliationOut, **error_responses(401, 403, 404, 422)},
    summary="计算（或重新计算）一个村、乡镇或县某月的对账",
)
def reconciliation_compute_endpoint(request, payload: ComputeIn):
    row = services.reconciliation_compute(request.user, payload.region_code, payload.month)
    return reconciliation_out(queries.reconciliation_get(request.user, row.pk))


@reconciliations_router.post(
    "/government-paid",
    response={200: GovernmentPaidOut, **error_responses(401, 403, 422)},
    summary="县财务确认一个险种的政府代缴资金（金额须等于本县该险种该年度待确认的代缴合计）",
)
def government_paid_endpoint(request, payload: GovernmentPaidIn):
    count = services.government_paid_confirm(
        acting_user=request.user,
        region_code=user_county(request.user),
        year=payload.year,
        amount=payload.amount,
        reference=payload.reference,
        scheme=payload.scheme,
    )
    return {"scheme": payload.scheme, "year": payload.year, "confirmed": count}


@reconciliations_router.get(
    "/{reconciliation_id}",
    response={200: ReconciliationOut, **error_responses(401, 403, 404, 422)},
    summary="一个对账",
)
def reconciliation_endpoint(request, reconciliation_id: int = Path(..., ge=1, le=MAX_ID)):
    return reconciliation_out(queries.reconciliation_get(request.user, reconciliation_id))


@reconciliations_router.post(
    "/{reconciliation_id}/confirm",
    response={200: ReconciliationOut, **error_responses(401, 403, 404, 422)},
    summary="确认对账（有须解决的差异时拒绝）；所含票据对应的应缴改为已核对",
)
def reconciliation_confirm_endpoint(request, reconciliation_id: int = Path(..., ge=1, le=MAX_ID)):
    row = queries.reconciliation_get(request.user, reconciliation_id)
    row = services.reconciliation_confirm(acting_user=request.user, reconciliation=row)
    return reconciliation_out(queries.reconciliation_get(request.user, row.pk))

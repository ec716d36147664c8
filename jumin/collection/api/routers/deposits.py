"""``/api/deposits``: deposit slips, their township and county checks, and the overdue list.

Thin: each endpoint calls one query or service (``queries_deposits`` / ``deposits``); scoping
lives there, so a deposit outside the caller's region answers 404. Recording the same slip
(bank + slip number) with the same content again answers 200 with the stored deposit (201 when
new); the same slip with other content answers 422.
"""

import datetime
from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from jumin.collection.models import Deposit
from jumin.collection.queries import deposits as queries
from jumin.collection.services import deposits as services
from jumin.core.access import require
from jumin.core.api import PlainText, error_responses
from jumin.core.schemas import MAX_ID, Amount, Date, Id, Paging, paginate

router = Router(tags=["collection"])


class DepositOut(Schema):
    id: int
    village_code: str
    bank: str
    slip_number: str
    deposited_on: datetime.date
    amount: Decimal
    depositor_name: str
    status: str
    receipt_ids: list[int]
    recorded_at: datetime.datetime
    township_checked_at: datetime.datetime | None
    county_checked_at: datetime.datetime | None
    return_reason: str


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


class DepositIn(Schema):
    model_config = ConfigDict(extra="forbid")

    village_code: PlainText = Field(max_length=12, description="村（社区）代码")
    bank: PlainText = Field(max_length=40)
    slip_number: PlainText = Field(max_length=40)
    deposited_on: Date
    amount: Amount
    depositor_name: PlainText = Field(max_length=50)
    receipt_ids: list[Id] = Field(max_length=5000, description="这次缴存所含票据的编号")


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=200, description="退回原因")


class DepositFilters(Paging):
    township: str = Field("", pattern=r"^(\d{12})?$")
    village: str = Field("", pattern=r"^(\d{12})?$")
    status: str = Field("", max_length=20)


class DepositPage(Schema):
    count: int
    results: list[DepositOut]


class OverdueFilters(Schema):
    on: Date = Field(description="截至哪一天（含）")
    township: str = Field("", pattern=r"^(\d{12})?$")
    village: str = Field("", pattern=r"^(\d{12})?$")


class OverdueRowOut(Schema):
    kind: str = Field(description=", ".join(queries.OVERDUE_KINDS))
    kind_label: str
    township_code: str
    village_code: str
    reference: str
    name: str
    amount: Decimal
    deadline: datetime.date
    days: int = Field(
        description="逾期天数（逾期未办：截至日期减截止日；逾期已办：办理日减截止日）"
    )
    receipt_id: int | None
    deposit_id: int | None


class OverdueSummaryOut(Schema):
    region_code: str
    region_name: str
    level: int
    counts: dict[str, int]
    undeposited_amount: Decimal


class OverdueOut(Schema):
    on: datetime.date
    rows: list[OverdueRowOut]
    summary: list[OverdueSummaryOut]


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

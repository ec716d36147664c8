"""``/api/collection``: receipt books and receipts in the caller's scope.

Thin: each endpoint calls one query or service of ``jumin.collection``; scoping lives there,
so a book or receipt outside the caller's region answers 404. Writes are safe to repeat:
registering the same book or issuing the same receipt again answers 200 with what is stored
(201 when new) and changes nothing.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from jumin.collection.models import Receipt, ReceiptBook
from jumin.collection.queries import receipts as queries
from jumin.collection.services import receipts as services
from jumin.core.access import require
from jumin.core.api import PlainText, error_responses
from jumin.core.schemas import MAX_ID, Amount, Date, Paging, paginate

router = Router(tags=["collection"])


class BookOut(Schema):
    id: int
    series: str
    first_number: int
    last_number: int
    status: str
    holder: str
    holder_region_code: str
    issued: int
    voided: int
    lost: int
    unused: int
    money_deposited: bool
    registered_at: datetime.datetime


def book_out(book) -> dict:
    return {
        "id": book.pk,
        "series": book.series,
        "first_number": book.first_number,
        "last_number": book.last_number,
        "status": book.status,
        "holder": book.holder.get_username(),
        "holder_region_code": book.holder_region_id,
        "issued": book.issued,
        "voided": book.voided,
        "lost": book.lost,
        "unused": book.unused,
        "money_deposited": book.money_deposited,
        "registered_at": book.registered_at,
    }


class ReceiptOut(Schema):
    id: int
    book_id: int
    series: str
    number: int
    reference: str = Field(description="字轨-票号，即应缴记录的缴费凭证")
    status: str
    due_id: int | None
    person_id: int | None = Field(description="缴费人；已迁出本辖区的为空（票据照原样保留）")
    payer_name: str
    amount: Decimal | None
    contribution_year: int | None
    village_code: str
    issued_on: datetime.date
    void_reason: str
    deposit_id: int | None
    deposit_status: str | None


def receipt_out(receipt: Receipt) -> dict:
    return {
        "id": receipt.pk,
        "book_id": receipt.book_id,
        "series": receipt.series,
        "number": receipt.number,
        "reference": services.receipt_reference(receipt),
        "status": receipt.status,
        "due_id": receipt.due_id,
        # no link to a payer who has moved out of the caller's scope since
        "person_id": receipt.person_id if getattr(receipt, "person_in_scope", False) else None,
        "payer_name": receipt.payer_name,
        "amount": receipt.amount,
        "contribution_year": receipt.contribution_year,
        "village_code": receipt.region_id,
        "issued_on": timezone.localdate(receipt.issued_at),
        "void_reason": receipt.void_reason,
        "deposit_id": receipt.deposit_id,
        "deposit_status": receipt.deposit.status if receipt.deposit_id else None,
    }


class BookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    series: PlainText = Field(max_length=20)
    first_number: int = Field(ge=1, le=2_000_000_000)
    last_number: int = Field(ge=1, le=2_000_000_000)


class HandoverIn(Schema):
    model_config = ConfigDict(extra="forbid")

    receiver_id: int = Field(ge=1, le=MAX_ID, description="接收人（工作人员）编号")
    note: PlainText = Field("", max_length=200)


class IssueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=2_000_000_000)
    due_id: int = Field(ge=1, le=MAX_ID, description="所缴的应缴记录")
    amount: Amount = Field(description="实收金额，须等于应缴金额")
    payer_name: PlainText = Field("", max_length=50, description="交款人；不填为缴费人本人")
    issued_on: Date | None = Field(None, description="开票日期；不填为今天")


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=200)


class LostIn(ReasonIn):
    number: int = Field(ge=1, le=2_000_000_000)


class ReceiptFilters(Paging):
    book: int | None = Field(None, ge=1, le=MAX_ID)
    village: str = Field("", max_length=12, pattern=r"^(\d{12})?$")
    status: str = Field("", max_length=16)
    year: int | None = Field(None, ge=2000, le=2100)
    series: str = Field("", max_length=20)
    number: int | None = Field(None, ge=1, le=2_000_000_000)
    undeposited: bool = Field(False, description="只列已开未缴存的票据")


class ReceiptPage(Schema):
    count: int
    results: list[ReceiptOut]


# --------------------------------------------------------------------------- books


@router.get(
    "/books", response={200: list[BookOut], **error_responses(401)}, summary="本辖区的票据本"
)
def books_endpoint(request):
    return [book_out(book) for book in queries.books_with_counts(request.user)]


@router.post(
    "/books",
    response={200: BookOut, 201: BookOut, **error_responses(400, 401, 403, 422)},
    summary="登记票据本（县财务；相同内容再次提交返回 200）",
)
def book_register_endpoint(request, payload: BookIn):
    user = request.user
    require(user, "receipt_book.register")
    existed = ReceiptBook.objects.filter(
        series=payload.series.strip(),
        first_number=payload.first_number,
        last_number=payload.last_number,
    ).exists()
    book = services.book_register(acting_user=user, **payload.model_dump())
    return Status(200 if existed else 201, book_out(queries.book_get(user, book.pk)))


@router.get(
    "/books/{book_id}",
    response={200: BookOut, **error_responses(401, 404, 422)},
    summary="一本票据本",
)
def book_endpoint(request, book_id: int = Path(..., ge=1, le=MAX_ID)):
    return book_out(queries.book_get(request.user, book_id))


@router.post(
    "/books/{book_id}/handover",
    response={200: BookOut, **error_responses(400, 401, 403, 404, 422)},
    summary="交接票据本（当前持有人交给下一级、同级或退回上一级；可安全重试，返回交出的票据本）",
)
def book_handover_endpoint(request, payload: HandoverIn, book_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.user
    # handed upward the book leaves the giver's scope: the answer, and a retry, still find it
    book = queries.book_for_handover(user, book_id)
    require(user, "receipt_book.handover")
    receivers = {receiver.pk: receiver for receiver in services.handover_receivers(user)}
    receiver = receivers.get(payload.receiver_id)
    if receiver is None:
        raise ValidationError(
            {"receiver_id": "接收人必须是本辖区下级、同级或上一级在岗的票据经办人"}
        )
    services.book_handover(acting_user=user, book=book, receiver=receiver, note=payload.note)
    return book_out(queries.book_for_handover(user, book.pk))


@router.post(
    "/books/{book_id}/receipts",
    response={200: ReceiptOut, 201: ReceiptOut, **error_responses(400, 401, 403, 404, 422)},
    summary="开票：按应缴记录收现金（可安全重试：同一票号相同内容返回 200）",
)
def receipt_issue_endpoint(request, payload: IssueIn, book_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.user
    book = queries.book_get(user, book_id)
    require(user, "receipt.issue")
    due = queries.due_get(user, payload.due_id)
    existed = Receipt.objects.filter(series=book.series, number=payload.number).exists()
    receipt = services.receipt_issue(
        acting_user=user,
        book=book,
        number=payload.number,
        due=due,
        amount=payload.amount,
        payer_name=payload.payer_name,
        issued_on=payload.issued_on,
    )
    return Status(200 if existed else 201, receipt_out(queries.receipt_get(user, receipt.pk)))


@router.post(
    "/books/{book_id}/lost",
    response={200: ReceiptOut, **error_responses(400, 401, 403, 404, 422)},
    summary="登记遗失的票号",
)
def receipt_lost_endpoint(request, payload: LostIn, book_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.user
    book = queries.book_get(user, book_id)
    require(user, "receipt.issue")
    receipt = services.receipt_report_lost(
        acting_user=user, book=book, number=payload.number, reason=payload.reason
    )
    return receipt_out(queries.receipt_get(user, receipt.pk))


@router.post(
    "/books/{book_id}/write-off",
    response={200: BookOut, **error_responses(401, 403, 404, 422)},
    summary="核销票据本（县财务；票号用完且票款经县财务核对）",
)
def book_write_off_endpoint(request, book_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.user
    book = queries.book_get(user, book_id)
    services.book_write_off(acting_user=user, book=book)
    return book_out(queries.book_get(user, book.pk))


# --------------------------------------------------------------------------- receipts


@router.get(
    "/receipts",
    response={200: ReceiptPage, **error_responses(401, 422)},
    summary="本辖区的票据（可按票据本、村、状态、年度、票号筛选）",
)
def receipts_endpoint(request, filters: Query[ReceiptFilters]):
    data = filters.model_dump(exclude={"offset", "limit"})
    page = paginate(queries.receipt_list(request.user, **data), filters)
    return {"count": page.count, "results": [receipt_out(receipt) for receipt in page.items]}


@router.get(
    "/receipts/{receipt_id}",
    response={200: ReceiptOut, **error_responses(401, 404, 422)},
    summary="一张票据",
)
def receipt_endpoint(request, receipt_id: int = Path(..., ge=1, le=MAX_ID)):
    receipt = queries.receipt_get(request.user, receipt_id)
    return receipt_out(queries.receipt_list(request.user).get(pk=receipt.pk))


@router.post(
    "/receipts/{receipt_id}/void",
    response={200: ReceiptOut, **error_responses(400, 401, 403, 404, 422)},
    summary="作废票据（应缴记录恢复为未缴；已缴存的不能作废）",
)
def receipt_void_endpoint(request, payload: ReasonIn, receipt_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.user
    receipt = queries.receipt_get(user, receipt_id)
    services.receipt_void(acting_user=user, receipt=receipt, reason=payload.reason)
    return receipt_out(queries.receipt_list(user).get(pk=receipt.pk))

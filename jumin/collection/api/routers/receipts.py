"""``/api/collection``: receipt books and receipts in the caller's scope.

Thin: each endpoint calls one query or service of ``jumin.collection``; scoping lives there,
so a book or receipt outside the caller's region answers 404. Writes are safe to repeat:
registering the same book or issuing the same receipt again answers 200 with what is stored
(201 when new) and changes nothing.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Path, Query, Router, Status

from jumin.collection.api.schemas import (
    BookIn,
    BookOut,
    HandoverIn,
    IssueIn,
    LostIn,
    ReasonIn,
    ReceiptFilters,
    ReceiptOut,
    ReceiptPage,
)
from jumin.collection.models import Receipt, ReceiptBook
from jumin.collection.queries import receipts as queries
from jumin.collection.services import receipts as services
from jumin.core.access import require
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID, paginate

router = Router(tags=["collection"])


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


def receipt_out(receipt: Receipt) -> dict:
    return {
        "id": receipt.pk,
        "book_id": receipt.book_id,
        "series": receipt.series,
        "number": receipt.number,
        "reference": receipt.reference,
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
    receivers = {receiver.pk: receiver for receiver in queries.handover_receivers(user)}
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

"""Writes for receipt books: register, hand over, issue, void, report lost, write off."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jumin.collection.models import (
    BookStatus,
    Receipt,
    ReceiptBook,
    ReceiptHandover,
    ReceiptStatus,
)
from jumin.core import audit
from jumin.core.access import PERMISSIONS, in_scope, require


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def clean_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _error("amount", "金额必须是数字") from None
    if not amount.is_finite() or amount <= 0:
        raise _error("amount", "金额必须大于0")
    if amount.as_tuple().exponent < -2:
        raise _error("amount", "金额最多保留两位小数")
    if amount >= Decimal("1e12"):
        raise _error("amount", "金额过大")
    return amount.quantize(Decimal("0.01"))


def book_register(*, acting_user, series: str, first_number: int, last_number: int) -> ReceiptBook:
    """County finance registers a printed book; ranges of one series never overlap."""
    require(acting_user, "receipt_book.register")
    series = (series or "").strip()
    if not series:
        raise _error("series", "请填写票据字轨")
    if first_number is None or last_number is None or first_number < 1:
        raise _error("first_number", "起始号必须是正整数")
    if last_number < first_number:
        raise _error("last_number", "终止号不能小于起始号")
    with transaction.atomic():
        same = ReceiptBook.objects.select_for_update().filter(series=series)
        existing = same.filter(first_number=first_number, last_number=last_number).first()
        if existing is not None and existing.registered_by_id == acting_user.pk:
            return existing  # a retry of the same registration
        if same.filter(first_number__lte=last_number, last_number__gte=first_number).exists():
            raise _error("first_number", "号段与已登记的票据本重叠", code="overlap")
        book = ReceiptBook.objects.create(
            series=series,
            first_number=first_number,
            last_number=last_number,
            registered_by=acting_user,
            holder=acting_user,
            holder_region_id=acting_user.region_id,
        )
        audit.record(
            actor=acting_user,
            action="receipt_book.register",
            obj=book,
            after={"series": series, "first_number": first_number, "last_number": last_number},
        )
    return book


def _handover_allowed(giver, receiver) -> bool:
    giver_region, receiver_region = giver.region, receiver.region
    if giver_region is None or receiver_region is None:
        return False
    if receiver_region.code.startswith(giver.scope_prefix):  # same region or downward
        return True
    return giver_region.parent_id == receiver_region.code  # a return upward


def book_handover(*, acting_user, book: ReceiptBook, receiver, note: str = "") -> ReceiptHandover:
    require(acting_user, "receipt_book.handover")
    with transaction.atomic():
        book = ReceiptBook.objects.select_for_update().get(pk=book.pk)
        if book.holder_id == receiver.pk:
            last = book.handovers.order_by("-pk").first()
            if last is not None and last.giver_id == acting_user.pk:
                return last  # a retry of the handover just made
        if book.status == BookStatus.WRITTEN_OFF:
            raise _error("book", "票据本已核销，不能交接")
        if book.holder_id != acting_user.pk:
            raise _error("book", "只有当前持有人才能交出票据本", code="not_holder")
        if receiver.pk == acting_user.pk or not receiver.is_active:
            raise _error("receiver", "请选择另一位在岗的接收人")
        if not (
            receiver.role in PERMISSIONS["receipt_book.handover"]
            and _handover_allowed(acting_user, receiver)
        ):
            raise _error("receiver", "接收人必须是本辖区下级或上一级的票据经办人")
        handover = ReceiptHandover.objects.create(
            book=book, giver=acting_user, receiver=receiver, note=(note or "").strip()[:200]
        )
        before = {"holder": book.holder_id, "holder_region": book.holder_region_id}
        book.holder = receiver
        book.holder_region_id = receiver.region_id
        if book.status == BookStatus.IN_STOCK:
            book.status = BookStatus.IN_USE
        book.save(update_fields=["holder", "holder_region", "status"])
        audit.record(
            actor=acting_user,
            action="receipt_book.handover",
            obj=book,
            before=before,
            after={"holder": receiver.pk, "holder_region": receiver.region_id},
            reason=handover.note,
        )
    return handover


def _number_in_book(book: ReceiptBook, number) -> int:
    try:
        number = int(number)
    except (ValueError, TypeError):
        raise _error("number", "票号必须是数字") from None
    if not book.first_number <= number <= book.last_number:
        raise _error(
            "number", f"票号{number}不在本票据本的号段{book.first_number}–{book.last_number}内"
        )
    return number


def _holder_book(acting_user, book: ReceiptBook) -> ReceiptBook:
    book = ReceiptBook.objects.select_for_update().get(pk=book.pk)
    if book.holder_id != acting_user.pk:
        raise _error("book", "只有票据本的当前持有人才能开票", code="not_holder")
    if book.status == BookStatus.WRITTEN_OFF:
        raise _error("book", "票据本已核销")
    return book


def receipt_issue(
    *, acting_user, book: ReceiptBook, number, person, amount, contribution_year: int
) -> Receipt:
    require(acting_user, "receipt.issue")
    amount = clean_amount(amount)
    if not (isinstance(contribution_year, int) and 2000 <= contribution_year <= 2100):
        raise _error("contribution_year", "缴费年度不正确")
    with transaction.atomic():
        book = _holder_book(acting_user, book)
        number = _number_in_book(book, number)
        if not in_scope(acting_user, person.village_id or ""):
            raise _error("person", "缴费人不在您的辖区内")
        existing = Receipt.objects.filter(series=book.series, number=number).first()
        if existing is not None:
            same = (
                existing.status == ReceiptStatus.ISSUED
                and existing.person_id == person.pk
                and existing.amount == amount
                and existing.contribution_year == contribution_year
            )
            if same:
                return existing
            raise _error("number", "票号已使用", code="used")
        try:
            with transaction.atomic():
                receipt = Receipt.objects.create(
                    book=book,
                    series=book.series,
                    number=number,
                    status=ReceiptStatus.ISSUED,
                    person=person,
                    amount=amount,
                    contribution_year=contribution_year,
                    region_id=person.village_id,
                    issued_by=acting_user,
                )
        except IntegrityError:
            raise _error("number", "票号已使用", code="used") from None
        if book.status == BookStatus.IN_STOCK:
            book.status = BookStatus.IN_USE
            book.save(update_fields=["status"])
        audit.record(
            actor=acting_user,
            action="receipt.issue",
            obj=receipt,
            after={"person": person.pk, "amount": amount, "contribution_year": contribution_year},
        )
    return receipt


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "请填写原因")
    return reason[:200]


def receipt_void(*, acting_user, receipt: Receipt, reason: str) -> Receipt:
    require(acting_user, "receipt.issue")
    reason = _clean_reason(reason)
    with transaction.atomic():
        _holder_book(acting_user, receipt.book)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == ReceiptStatus.VOIDED:
            return receipt
        if receipt.status != ReceiptStatus.ISSUED:
            raise _error("receipt", "只有已开的票据才能作废")
        receipt.status = ReceiptStatus.VOIDED
        receipt.void_reason = reason
        receipt.save(update_fields=["status", "void_reason"])
        audit.record(
            actor=acting_user,
            action="receipt.void",
            obj=receipt,
            before={"status": ReceiptStatus.ISSUED},
            after={"status": ReceiptStatus.VOIDED},
            reason=reason,
        )
    return receipt


def receipt_report_lost(*, acting_user, book: ReceiptBook, number, reason: str) -> Receipt:
    require(acting_user, "receipt.issue")
    reason = _clean_reason(reason)
    with transaction.atomic():
        book = _holder_book(acting_user, book)
        number = _number_in_book(book, number)
        existing = Receipt.objects.filter(series=book.series, number=number).first()
        if existing is not None:
            if existing.status == ReceiptStatus.LOST:
                return existing
            raise _error("number", "票号已使用", code="used")
        receipt = Receipt.objects.create(
            book=book,
            series=book.series,
            number=number,
            status=ReceiptStatus.LOST,
            region_id=book.holder_region_id,
            issued_by=acting_user,
            void_reason=reason,
        )
        audit.record(
            actor=acting_user,
            action="receipt.report_lost",
            obj=receipt,
            after={"status": ReceiptStatus.LOST},
            reason=reason,
        )
    return receipt


# Deposits (issue 3 item 7) are not built yet: once they are, write-off must also require
# ``book.money_deposited`` (set by the deposit check). Until then this flag stays False.
REQUIRE_DEPOSIT_FOR_WRITE_OFF = False


def book_write_off(*, acting_user, book: ReceiptBook) -> ReceiptBook:
    require(acting_user, "receipt_book.write_off")
    with transaction.atomic():
        book = ReceiptBook.objects.select_for_update().get(pk=book.pk)
        if book.status == BookStatus.WRITTEN_OFF:
            return book
        used = Receipt.objects.filter(book=book).count()
        if used != book.size:
            raise _error("book", f"还有{book.size - used}个票号未使用，不能核销")
        if REQUIRE_DEPOSIT_FOR_WRITE_OFF and not book.money_deposited:
            raise _error("book", "票款尚未全部缴存，不能核销")
        book.status = BookStatus.WRITTEN_OFF
        book.save(update_fields=["status"])
        audit.record(
            actor=acting_user,
            action="receipt_book.write_off",
            obj=book,
            after={"status": BookStatus.WRITTEN_OFF},
        )
    return book

"""Writes for receipt books: register, hand over, issue, void, report lost, write off."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jumin.collection import schemes
from jumin.collection.models import (
    BookStatus,
    Channel,
    DepositStatus,
    Due,
    DueStatus,
    DueStep,
    Receipt,
    ReceiptBook,
    ReceiptHandover,
    ReceiptStatus,
)
from jumin.collection.queries.receipts import ISSUABLE_KINDS
from jumin.collection.registry import CollectionAction
from jumin.collection.rules import handover_allowed
from jumin.core import audit, money
from jumin.core.access import in_scope_of, require, roles_with
from jumin.core.money import MoneyError


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def clean_amount(value) -> Decimal:
    """A positive amount of cash (``core.money.parse``), refused on the ``amount`` field."""
    try:
        return money.parse(value, allow_zero=False)
    except MoneyError as error:
        raise _error("amount", error.message) from None


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
            action=CollectionAction.RECEIPT_BOOK_REGISTER,
            obj=book,
            after={"series": series, "first_number": first_number, "last_number": last_number},
        )
    return book


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
            receiver.role in roles_with("receipt_book.handover")
            and handover_allowed(acting_user, receiver)
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
            action=CollectionAction.RECEIPT_BOOK_HANDOVER,
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


def _clean_issued_on(issued_on) -> datetime.date:
    today = timezone.localdate()
    if issued_on is None:
        return today
    if not isinstance(issued_on, datetime.date):
        raise _error("issued_on", "开票日期格式应为 2026-03-10")
    if issued_on > today:
        raise _error("issued_on", "开票日期不能晚于今天")
    return issued_on


def _issued_at(issued_on: datetime.date) -> datetime.datetime:
    """The moment stored for a receipt dated ``issued_on``: now if today, else that day's noon."""
    now = timezone.now()
    if issued_on == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(issued_on, datetime.time(12)))


def receipt_issue(
    *,
    acting_user,
    book: ReceiptBook,
    number,
    due: Due,
    amount,
    payer_name: str = "",
    issued_on: datetime.date | None = None,
    with_dues: Sequence[Due] = (),
) -> Receipt:
    """The holder writes receipt ``number`` of ``book`` for the cash paid against ``due``.

    In the same transaction the due becomes paid (channel cash, ``payment_reference``
    ``series-number``). Sending the same receipt again returns it without a second effect.

    ``with_dues``: other open dues of the same person paid with the same receipt (a person
    pays the pension and the medical premium at one visit): ``amount`` is then the sum of
    all, and each due is paid with its own amount and the receipt's reference — the receipt's
    items are the dues carrying its ``payment_reference`` (``receipt_items``), each naming
    its scheme. ``Receipt.due`` stays the first.
    """
    require(acting_user, "receipt.issue")
    amount = clean_amount(amount)
    issued_on = _clean_issued_on(issued_on)
    payer_name = (payer_name or "").strip()
    if len(payer_name) > 50:
        raise _error("payer_name", "交款人姓名过长（最多50个字）")
    with transaction.atomic():
        book = _holder_book(acting_user, book)
        number = _number_in_book(book, number)
        due = Due.objects.select_for_update().select_related("person").filter(pk=due.pk).first()
        if due is None or not in_scope_of(acting_user, due):  # where the payer lives now
            raise _error("due", "应缴记录不存在或缴费人不在您的辖区内")
        existing = Receipt.objects.filter(series=book.series, number=number).first()
        if existing is not None:
            if (
                existing.status == ReceiptStatus.ISSUED
                and existing.due_id == due.pk
                and existing.amount == amount
            ):
                return existing  # a retry of the same receipt
            raise _error("number", f"票号{book.series}-{number}已使用", code="used")
        if due.kind not in ISSUABLE_KINDS:
            raise _error("due", "政府代缴的应缴记录不收现金，不能开票")
        if due.status != DueStatus.OPEN:
            paid = (
                f"（{due.get_channel_display()}，凭证{due.payment_reference}）"
                if due.channel
                else ""
            )
            raise _error(
                "due",
                f"{due.person.name}{due.year}年的应缴记录已是“{due.get_status_display()}”{paid}，"
                "不能再开票",
                code="already_paid",
            )
        others = _other_dues(acting_user, due, with_dues)
        expected = due.amount + sum((other.amount for other in others), Decimal("0.00"))
        if amount != expected:
            raise _error(
                "amount",
                f"金额{amount}元与应缴金额{expected}元不一致，请按应缴金额{expected}元开票",
            )
        try:
            with transaction.atomic():
                receipt = Receipt.objects.create(
                    book=book,
                    series=book.series,
                    number=number,
                    status=ReceiptStatus.ISSUED,
                    person=due.person,
                    payer_name=payer_name or due.person.name,
                    amount=amount,
                    contribution_year=due.year,
                    region_id=due.person.village_id,  # the payer's village when paid
                    issued_at=_issued_at(issued_on),
                    issued_by=acting_user,
                    due=due,
                )
        except IntegrityError:
            raise _error("number", f"票号{book.series}-{number}已使用", code="used") from None
        for paid in (due, *others):
            Due.objects.filter(pk=paid.pk).transition(
                DueStep.CASH_PAID,
                channel=Channel.CASH,
                paid_amount=paid.amount,
                paid_on=issued_on,
                payment_reference=receipt.reference,
            )
        # the cash of this receipt is not deposited yet, whatever the book said before
        book.money_deposited = False
        if book.status == BookStatus.IN_STOCK:
            book.status = BookStatus.IN_USE
        book.save(update_fields=["status", "money_deposited"])
        audit.record(
            actor=acting_user,
            action=CollectionAction.RECEIPT_ISSUE,
            obj=receipt,
            after={
                "due": due.pk,
                "person": due.person_id,
                "payer_name": receipt.payer_name,
                "amount": amount,
                "contribution_year": due.year,
                "issued_on": issued_on,
                **(
                    {"items": [(d.pk, d.scheme, d.amount) for d in (due, *others)]}
                    if others
                    else {}
                ),
            },
        )
    return receipt


def _other_dues(acting_user, due: Due, with_dues: Sequence[Due]) -> list[Due]:
    """The other dues of one receipt, locked and checked: open, payable in cash, the same
    person's, each once."""
    ids = [other.pk for other in with_dues if other.pk != due.pk]
    if not ids:
        return []
    if len(set(ids)) != len(ids):
        raise _error("due", "同一笔应缴记录在票据中重复")
    others = list(Due.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(others) != len(ids) or any(not in_scope_of(acting_user, other) for other in others):
        raise _error("due", "应缴记录不存在或缴费人不在您的辖区内")
    for other in others:
        if other.person_id != due.person_id:
            raise _error("due", "一张票据只能收同一缴费人的应缴")
        if other.kind not in ISSUABLE_KINDS:
            raise _error("due", "政府代缴的应缴记录不收现金，不能开票")
        if other.status != DueStatus.OPEN:
            raise _error(
                "due",
                f"{schemes.label_of(other.scheme)}{other.year}年的应缴记录已是"
                f"“{other.get_status_display()}”，不能再开票",
                code="already_paid",
            )
    return others


def receipt_items(receipt: Receipt) -> QuerySet:
    """The dues a receipt paid (one, or several schemes' of one person), by scheme."""
    if receipt.status != ReceiptStatus.ISSUED:
        return Due.objects.filter(pk=receipt.due_id) if receipt.due_id else Due.objects.none()
    return Due.objects.filter(
        person_id=receipt.person_id, channel=Channel.CASH, payment_reference=receipt.reference
    ).order_by("scheme", "pk")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "请填写原因")
    return reason[:200]


def receipt_void(*, acting_user, receipt: Receipt, reason: str) -> Receipt:
    """Void an issued receipt; its due goes back to open with the payment fields cleared."""
    require(acting_user, "receipt.issue")
    reason = _clean_reason(reason)
    with transaction.atomic():
        _holder_book(acting_user, receipt.book)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == ReceiptStatus.VOIDED:
            return receipt
        if receipt.status != ReceiptStatus.ISSUED:
            raise _error("receipt", "只有已开的票据才能作废")
        if receipt.deposit_id is not None:
            raise _error(
                "receipt",
                f"票据{receipt.reference}已登记在缴存记录中，不能作废；"
                "请先让乡镇或县财务退回该缴存记录",
                code="deposited",
            )
        due = None
        if receipt.due_id is not None:
            due = Due.objects.select_for_update().get(pk=receipt.due_id)
            if due.status != DueStatus.PAID or due.payment_reference != receipt.reference:
                raise _error(
                    "receipt", f"该票据对应的应缴记录已是“{due.get_status_display()}”，不能作废"
                )
            Due.objects.filter(
                person_id=due.person_id,
                channel=Channel.CASH,
                payment_reference=receipt.reference,
            ).transition(DueStep.RECEIPT_VOID)
        receipt.status = ReceiptStatus.VOIDED
        receipt.void_reason = reason
        receipt.save(update_fields=["status", "void_reason"])
        audit.record(
            actor=acting_user,
            action=CollectionAction.RECEIPT_VOID,
            obj=receipt,
            before={"status": ReceiptStatus.ISSUED, "due_status": DueStatus.PAID if due else None},
            after={"status": ReceiptStatus.VOIDED, "due_status": DueStatus.OPEN if due else None},
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
            action=CollectionAction.RECEIPT_REPORT_LOST,
            obj=receipt,
            after={"status": ReceiptStatus.LOST},
            reason=reason,
        )
    return receipt


# A book is written off only when the cash of every issued receipt has reached the agency's
# account and county finance has checked the deposit.
REQUIRE_DEPOSIT_FOR_WRITE_OFF = True


def _undeposited(book_ids) -> QuerySet:
    """Issued receipts of these books whose deposit is missing or not county-checked."""
    return Receipt.objects.filter(book_id__in=book_ids, status=ReceiptStatus.ISSUED).exclude(
        deposit__status=DepositStatus.COUNTY_CHECKED
    )


def books_refresh_money_deposited(book_ids) -> None:
    """Set ``money_deposited`` on these books from their receipts, set-based (two UPDATEs)."""
    book_ids = list(book_ids)
    if not book_ids:
        return
    pending = _undeposited(book_ids).values("book_id")
    ReceiptBook.objects.filter(pk__in=book_ids).exclude(pk__in=pending).update(money_deposited=True)
    ReceiptBook.objects.filter(pk__in=book_ids).filter(pk__in=pending).update(money_deposited=False)


def book_write_off(*, acting_user, book: ReceiptBook) -> ReceiptBook:
    """Write a fully used book off once its cash is deposited and county-checked.

    Refused while the cash is not: the refusal still corrects the book's
    ``money_deposited`` (committed before the refusal is raised, so its error does not roll
    the correction back)."""
    require(acting_user, "receipt_book.write_off")
    refusal = None
    with transaction.atomic():
        book = ReceiptBook.objects.select_for_update().get(pk=book.pk)
        if book.status == BookStatus.WRITTEN_OFF:
            return book
        used = Receipt.objects.filter(book=book).count()
        if used != book.size:
            raise _error("book", f"还有{book.size - used}个票号未使用，不能核销")
        pending = list(
            _undeposited([book.pk]).order_by("number").values_list("series", "number")[:5]
        )
        book.money_deposited = not pending
        if REQUIRE_DEPOSIT_FOR_WRITE_OFF and pending:
            book.save(update_fields=["money_deposited"])
            numbers = "、".join(f"{series}-{number}" for series, number in pending)
            refusal = _error(
                "book",
                f"票款尚未全部缴存并经县财务核对（如票据{numbers}），不能核销",
                code="not_deposited",
            )
        else:
            book.status = BookStatus.WRITTEN_OFF
            book.save(update_fields=["status", "money_deposited"])
            audit.record(
                actor=acting_user,
                action=CollectionAction.RECEIPT_BOOK_WRITE_OFF,
                obj=book,
                after={"status": BookStatus.WRITTEN_OFF, "money_deposited": book.money_deposited},
            )
    if refusal is not None:
        raise refusal
    return book

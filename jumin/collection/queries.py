"""Reads for receipt books, always through ``access.scope``."""

from django.db.models import Count, F, Q, QuerySet

from jumin.collection.models import ReceiptBook, ReceiptStatus
from jumin.core.access import get_scoped_or_404, require, scope


def books_with_counts(user) -> QuerySet:
    """Books held in the user's scope, with holder and counts by state, in one query."""
    require(user, "receipt_book.view")
    books = scope(ReceiptBook.objects.select_related("holder", "holder_region"), user)
    return books.annotate(
        issued=Count("receipts", filter=Q(receipts__status=ReceiptStatus.ISSUED)),
        voided=Count("receipts", filter=Q(receipts__status=ReceiptStatus.VOIDED)),
        lost=Count("receipts", filter=Q(receipts__status=ReceiptStatus.LOST)),
        used=Count("receipts"),
    ).annotate(unused=F("last_number") - F("first_number") + 1 - F("used"))


def book_get(user, pk) -> ReceiptBook:
    """One book in the user's scope or 404."""
    return get_scoped_or_404(books_with_counts(user), user, pk=pk)


def book_history(book: ReceiptBook) -> dict:
    """Handovers and receipts of a book already obtained through ``book_get``."""
    return {
        "handovers": list(book.handovers.select_related("giver", "receiver")),
        "receipts": list(book.receipts.select_related("person")),
    }

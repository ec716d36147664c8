"""Reads for receipt books and receipts, always through ``access.scope``."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from jumin.collection.models import (
    Due,
    DueKind,
    DueStatus,
    Receipt,
    ReceiptBook,
    ReceiptHandover,
    ReceiptStatus,
)
from jumin.collection.rules import handover_allowed
from jumin.core.access import get_scoped_or_404, require, roles_with, scope, scope_flag
from jumin.core.models import Region, RegionLevel
from jumin.people import queries as people_queries

# the dues a cash receipt may pay
ISSUABLE_KINDS = (DueKind.PERSONAL, DueKind.BACK_PAYMENT)


def books_with_counts(user, *, township: str = "", village: str = "") -> QuerySet:
    """Books held in the user's scope, with holder and counts by state, in one query."""
    require(user, "receipt_book.view")
    books = scope(ReceiptBook.objects.select_related("holder", "holder_region"), user)
    if village:
        books = books.filter(holder_region_id=village)
    elif township:
        books = books.filter(holder_region__pk__startswith=township[:9])
    return _with_counts(books)


def _with_counts(books: QuerySet) -> QuerySet:
    return books.annotate(
        issued=Count("receipts", filter=Q(receipts__status=ReceiptStatus.ISSUED)),
        voided=Count("receipts", filter=Q(receipts__status=ReceiptStatus.VOIDED)),
        lost=Count("receipts", filter=Q(receipts__status=ReceiptStatus.LOST)),
        used=Count("receipts"),
    ).annotate(unused=F("last_number") - F("first_number") + 1 - F("used"))


def book_get(user, pk) -> ReceiptBook:
    """One book in the user's scope or 404."""
    return get_scoped_or_404(books_with_counts(user), user, pk=pk)


def book_for_handover(user, pk) -> ReceiptBook:
    """The book a handover acts on: one in the user's scope, or else the one this user was
    the last to hand on. A village assistant handing a book up to the township no longer
    holds it in their scope; the answer to the handover, and to its retry, is still that
    book (the service tells a retry from a second handover). 404 otherwise."""
    try:
        return book_get(user, pk)
    except Http404:
        last = ReceiptHandover.objects.filter(book_id=pk).order_by("-pk").first()
        if last is None or last.giver_id != user.pk:
            raise
    return _with_counts(ReceiptBook.objects.select_related("holder", "holder_region")).get(pk=pk)


def book_history(user, book: ReceiptBook) -> dict:
    """Handovers of a book already obtained through ``book_get``, and its receipts issued in
    the user's scope.

    Each receipt is scoped by the region it was issued in: a partly used book that county
    finance hands on to another township keeps the receipts its earlier holder issued, and
    those stay the earlier township's records (``receipts_elsewhere`` counts them; the
    number ranges still show every used number, so nobody issues one twice)."""
    receipts = list(
        with_person_in_scope(
            scope(book.receipts.select_related("person", "deposit"), user), user
        ).order_by("number")
    )
    return {
        "handovers": list(book.handovers.select_related("giver", "receiver")),
        "receipts": receipts,
        "receipts_elsewhere": book.used - len(receipts),
    }


def with_person_in_scope(receipts: QuerySet, user) -> QuerySet:
    """The receipts with ``person_in_scope``: whether the payer lives in the user's scope now.

    A receipt is the record of money a township took and stays the township's after the
    county moves the payer to another township; its pages then show the receipt as recorded
    (payer name, amount, year) with no link to the person and none of the person's current
    details (decision)."""
    return receipts.annotate(person_in_scope=scope_flag(user, "person__village_id"))


def ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """``[1, 2, 3, 7]`` → ``[(1, 3), (7, 7)]`` (numbers sorted)."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _text(runs: list[tuple[int, int]]) -> str:
    return "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs) or "—"


def with_ranges(books) -> list[ReceiptBook]:
    """The books with ``used_ranges``, ``unused_ranges`` text and ``next_number`` (one query)."""
    books = list(books)
    used = defaultdict(list)
    rows = Receipt.objects.filter(book_id__in=[book.pk for book in books]).order_by("number")
    for book_id, number in rows.values_list("book_id", "number"):
        used[book_id].append(number)
    for book in books:
        taken = set(used[book.pk])
        unused = [n for n in range(book.first_number, book.last_number + 1) if n not in taken]
        book.used_ranges = _text(ranges(used[book.pk]))
        book.unused_ranges = _text(ranges(unused))
        book.next_number = unused[0] if unused else None
    return books


def receipt_repeated(book: ReceiptBook, number, due_id) -> Receipt | None:
    """The issued receipt of ``book`` with this number for this due, if any (a re-submit)."""
    try:
        number, due_id = int(number), int(due_id)
    except (TypeError, ValueError):
        return None
    return Receipt.objects.filter(
        book=book, number=number, due_id=due_id, status=ReceiptStatus.ISSUED
    ).first()


def next_unused_number(book: ReceiptBook) -> int | None:
    taken = set(Receipt.objects.filter(book=book).values_list("number", flat=True))
    for number in range(book.first_number, book.last_number + 1):
        if number not in taken:
            return number
    return None


def townships_and_villages(user) -> tuple[list, list]:
    """Townships and villages in the user's scope, for the filters."""
    regions = Region.objects.filter(
        code__startswith=user.scope_prefix or "-",
        level__in=(RegionLevel.TOWNSHIP, RegionLevel.VILLAGE),
    ).order_by("code")
    townships = [region for region in regions if region.level == RegionLevel.TOWNSHIP]
    villages = [region for region in regions if region.level == RegionLevel.VILLAGE]
    return townships, villages


RECEIPT_FILTERS = ("book", "village", "status", "year", "series", "number", "undeposited")


def receipt_list(
    user,
    *,
    book: int | None = None,
    village: str = "",
    township: str = "",
    status: str = "",
    year: int | None = None,
    series: str = "",
    number: int | None = None,
    undeposited: bool = False,
) -> QuerySet:
    """Receipts issued, voided or lost in the user's scope."""
    require(user, "receipt_book.view")
    receipts = scope(Receipt.objects.select_related("person", "deposit", "book"), user)
    if book:
        receipts = receipts.filter(book_id=book)
    if village:
        receipts = receipts.filter(region_id=village)
    elif township:
        receipts = receipts.filter(region__pk__startswith=township[:9])
    if status:
        receipts = receipts.filter(status=status)
    if year:
        receipts = receipts.filter(contribution_year=year)
    if series:
        receipts = receipts.filter(series=series)
    if number:
        receipts = receipts.filter(number=number)
    if undeposited:
        receipts = receipts.filter(status=ReceiptStatus.ISSUED, deposit__isnull=True)
    return with_person_in_scope(receipts, user).order_by("series", "number")


def receipt_get(user, pk) -> Receipt:
    require(user, "receipt_book.view")
    receipts = with_person_in_scope(Receipt.objects.select_related("book", "person", "due"), user)
    return get_scoped_or_404(receipts, user, pk=pk)


def due_get(user, pk) -> Due:
    """A due in the user's scope (where the payer lives now) or 404."""
    require(user, "due.view")
    return get_scoped_or_404(Due.objects.select_related("person"), user, pk=pk)


def person_for_issue(user, id_number: str):
    """The person with this ID number in the user's scope, or ``None``."""
    return people_queries.person_find_by_id_number(user, (id_number or "").strip().upper())


def open_dues(user, person, year: int | None = None) -> QuerySet:
    """The person's dues that cash may pay (open personal or back-payment dues)."""
    dues = scope(Due.objects.all(), user).filter(
        person=person, status=DueStatus.OPEN, kind__in=ISSUABLE_KINDS
    )
    if year:
        dues = dues.filter(year=year)
    return dues.order_by("year", "kind")


def handover_receivers(giver):
    """Active staff who may receive a book from ``giver`` (the next holders in the chain)."""
    region = giver.region
    if region is None:
        return []
    candidates = (
        get_user_model()
        .objects.filter(is_active=True, role__in=roles_with("receipt_book.handover"))
        .filter(
            Q(region_id=region.code)
            | Q(region__parent_id=region.code)
            | Q(region_id=region.parent_id or "-")
        )
        .exclude(pk=giver.pk)
        .select_related("region")
        .order_by("region_id", "username")
    )
    return [user for user in candidates if handover_allowed(giver, user)]

"""``/api/collection``: receipt books in the caller's scope (read-only for now).

Thin: each endpoint calls one query of ``jumin.collection``; scoping lives there, so a book
held outside the caller's region answers 404.
"""

import datetime

from ninja import Path, Router, Schema

from jumin.collection import queries
from jumin.core.api import error_responses

router = Router(tags=["collection"])

MAX_ID = 2**63 - 1


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
        "registered_at": book.registered_at,
    }


@router.get(
    "/books", response={200: list[BookOut], **error_responses(401)}, summary="本辖区的票据本"
)
def books_endpoint(request):
    return [book_out(book) for book in queries.books_with_counts(request.user)]


@router.get(
    "/books/{book_id}",
    response={200: BookOut, **error_responses(401, 404, 422)},
    summary="一本票据本",
)
def book_endpoint(request, book_id: int = Path(..., ge=1, le=MAX_ID)):
    return book_out(queries.book_get(request.user, book_id))

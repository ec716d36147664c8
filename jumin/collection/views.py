"""Receipt-book pages: thin; reads come through the scoped queries (out of scope → 404)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jumin.collection import queries


@require_GET
@login_required
def books(request):
    return render(
        request, "collection/books.html", {"books": queries.books_with_counts(request.user)}
    )


@require_GET
@login_required
def book_detail(request, pk: int):
    book = queries.book_get(request.user, pk)
    return render(
        request, "collection/book_detail.html", {"book": book, **queries.book_history(book)}
    )

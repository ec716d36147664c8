from django.urls import path

from jumin.collection import (
    urls_deposits,
    urls_progress,
    urls_reconciliation,
    urls_withholding,
    views,
)

app_name = "collection"

urlpatterns = [
    path("receipt-books/", views.books, name="books"),
    path("receipt-books/<int:pk>/", views.book_detail, name="book_detail"),
] + (
    urls_withholding.urlpatterns
    + urls_deposits.urlpatterns
    + urls_reconciliation.urlpatterns
    + urls_progress.urlpatterns
)

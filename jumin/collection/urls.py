from django.urls import path

from jumin.collection import (
    urls_deposits,
    urls_reconciliation,
    urls_withholding,
    views,
)
from jumin.collection.web.views import calendar

app_name = "collection"

urlpatterns = [
    path("receipt-books/", views.books, name="books"),
    path("receipt-books/new/", views.book_register, name="book_register"),
    path("receipt-books/<int:pk>/", views.book_detail, name="book_detail"),
    path("receipt-books/<int:pk>/handover/", views.book_handover, name="book_handover"),
    path("receipt-books/<int:pk>/issue/", views.receipt_issue, name="receipt_issue"),
    path("receipt-books/<int:pk>/lost/", views.receipt_lost, name="receipt_lost"),
    path("receipt-books/<int:pk>/write-off/", views.book_write_off, name="book_write_off"),
    path("receipts/<int:pk>/void/", views.receipt_void, name="receipt_void"),
    path("cash-calendar/", calendar.cash_calendar, name="cash_calendar"),
] + (urls_withholding.urlpatterns + urls_deposits.urlpatterns + urls_reconciliation.urlpatterns)

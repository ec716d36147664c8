"""The collection pages: ``collection:<name>``; the permission of each is declared in
``registry.py``."""

from django.urls import path

from jumin.collection.web.views import (
    calendar,
    deposits,
    receipts,
    reconciliation,
    statements,
    tax_files,
    withholding,
)

app_name = "collection"

urlpatterns = [
    path("receipt-books/", receipts.books, name="books"),
    path("receipt-books/new/", receipts.book_register, name="book_register"),
    path("receipt-books/<int:pk>/", receipts.book_detail, name="book_detail"),
    path("receipt-books/<int:pk>/handover/", receipts.book_handover, name="book_handover"),
    path("receipt-books/<int:pk>/issue/", receipts.receipt_issue, name="receipt_issue"),
    path("receipt-books/<int:pk>/lost/", receipts.receipt_lost, name="receipt_lost"),
    path("receipt-books/<int:pk>/write-off/", receipts.book_write_off, name="book_write_off"),
    path("receipts/<int:pk>/void/", receipts.receipt_void, name="receipt_void"),
    path("cash-calendar/", calendar.cash_calendar, name="cash_calendar"),
    path("withholding/", withholding.batches, name="batches"),
    path("withholding/new/", withholding.batch_create, name="batch_create"),
    path("withholding/<int:pk>/", withholding.batch_detail, name="batch_detail"),
    path("withholding/<int:pk>/export/", withholding.batch_export, name="batch_export"),
    path("withholding/<int:pk>/result/", withholding.batch_result, name="batch_result"),
    path("withholding/<int:pk>/confirm/", withholding.batch_confirm, name="batch_confirm"),
    path("tax-files/", tax_files.tax_files, name="tax_files"),
    path("tax-files/<int:pk>/", tax_files.tax_file_detail, name="tax_file_detail"),
    path("tax-files/<int:pk>/confirm/", tax_files.tax_file_confirm, name="tax_file_confirm"),
    path("deposits/", deposits.deposit_list, name="deposits"),
    path("deposits/<int:pk>/", deposits.deposit_detail, name="deposit_detail"),
    path("deposits/<int:pk>/check/", deposits.deposit_check, name="deposit_check"),
    path("deposits/<int:pk>/return/", deposits.deposit_return, name="deposit_return"),
    path("deposits/overdue/", deposits.overdue, name="overdue"),
    path("deposits/overdue.xlsx", deposits.overdue_export, name="overdue_export"),
    path("reconciliations/", reconciliation.reconciliations, name="reconciliations"),
    path(
        "reconciliations/compute/",
        reconciliation.reconciliation_compute,
        name="reconciliation_compute",
    ),
    path(
        "reconciliations/<int:pk>/",
        reconciliation.reconciliation_detail,
        name="reconciliation_detail",
    ),
    path(
        "reconciliations/<int:pk>/confirm/",
        reconciliation.reconciliation_confirm,
        name="reconciliation_confirm",
    ),
    path(
        "reconciliations/government-paid/", reconciliation.government_paid, name="government_paid"
    ),
    path("bank-statements/", statements.statement_list, name="statements"),
    path("bank-statements/<int:pk>/", statements.statement_detail, name="statement_detail"),
]

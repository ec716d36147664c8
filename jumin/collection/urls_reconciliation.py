"""Pages of the bank statement, reconciliation and government funds; included by the app's
urls.py (same namespace)."""

from django.urls import path

from jumin.collection import views_reconciliation as views

urlpatterns: list = [
    path("reconciliations/", views.reconciliations, name="reconciliations"),
    path("reconciliations/compute/", views.reconciliation_compute, name="reconciliation_compute"),
    path("reconciliations/<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path(
        "reconciliations/<int:pk>/confirm/",
        views.reconciliation_confirm,
        name="reconciliation_confirm",
    ),
    path("reconciliations/government-paid/", views.government_paid, name="government_paid"),
    path("bank-statements/", views.statement_list, name="statements"),
    path("bank-statements/<int:pk>/", views.statement_detail, name="statement_detail"),
]

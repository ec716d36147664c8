"""Pages of the personal account; included by the app's urls.py (same namespace)."""

from django.urls import path

from jumin.pension import views_accounts as views

urlpatterns: list = [
    path("accounts/<int:person_pk>/", views.account, name="account"),
    path("accounts/entries/<int:pk>/reverse/", views.entry_reverse, name="account_entry_reverse"),
    path(
        "accounts/<int:person_pk>/dues/<int:due_pk>/reverse/",
        views.due_reverse,
        name="account_due_reverse",
    ),
]

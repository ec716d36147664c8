"""Pages of deposits and the overdue list; included by the app's urls.py (same namespace)."""

from django.urls import path

from jumin.collection import views_deposits as views

urlpatterns: list = [
    path("deposits/", views.deposit_list, name="deposits"),
    path("deposits/<int:pk>/", views.deposit_detail, name="deposit_detail"),
    path("deposits/<int:pk>/check/", views.deposit_check, name="deposit_check"),
    path("deposits/<int:pk>/return/", views.deposit_return, name="deposit_return"),
    path("deposits/overdue/", views.overdue, name="overdue"),
    path("deposits/overdue.xlsx", views.overdue_export, name="overdue_export"),
]

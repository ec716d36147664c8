"""Pages of bank withholding and tax files; included by the app's urls.py (same namespace)."""

from django.urls import path

from jumin.collection import views_withholding as views

urlpatterns: list = [
    path("withholding/", views.batches, name="batches"),
    path("withholding/new/", views.batch_create, name="batch_create"),
    path("withholding/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("withholding/<int:pk>/export/", views.batch_export, name="batch_export"),
    path("withholding/<int:pk>/result/", views.batch_result, name="batch_result"),
    path("withholding/<int:pk>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("tax-files/", views.tax_files, name="tax_files"),
    path("tax-files/<int:pk>/", views.tax_file_detail, name="tax_file_detail"),
    path("tax-files/<int:pk>/confirm/", views.tax_file_confirm, name="tax_file_confirm"),
]

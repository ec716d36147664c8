"""Pages of this area; included by the app's urls.py (same namespace)."""

from django.urls import path

from jumin.collection import views_progress

urlpatterns: list = [
    path("progress/", views_progress.progress_page, name="progress"),
    path("progress/export/", views_progress.progress_export, name="progress_export"),
    path("progress/targets/", views_progress.targets, name="targets"),
]

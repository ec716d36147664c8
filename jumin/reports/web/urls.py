"""Pages of the reports app; under ``collection/``, the paths they always had."""

from django.urls import path

from jumin.reports.web.views import progress

app_name = "reports"

urlpatterns = [
    path("progress/", progress.progress_page, name="progress"),
    path("progress/export/", progress.progress_export, name="progress_export"),
    path("progress/targets/", progress.targets, name="targets"),
]

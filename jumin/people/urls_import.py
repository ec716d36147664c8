"""Roster import pages, in the ``people`` namespace (see ``jumin/people/urls.py``)."""

from django.urls import path

from jumin.people import views_import

urlpatterns = [
    path("import/", views_import.import_start, name="import"),
    path("import/history/", views_import.import_list, name="import_list"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views_import.import_progress, name="import_progress"),
    path("import/<int:pk>/errors.xlsx", views_import.import_errors, name="import_errors"),
]

"""The people pages: ``people:<name>``; the permission of each is declared in ``registry.py``."""

from django.urls import path

from jumin.people.web.views import duplicates, persons, roster_imports, statuses

app_name = "people"

urlpatterns = [
    path("", persons.search, name="search"),
    path("search/results/", persons.search_results, name="search_results"),
    path("new/", persons.create, name="create"),
    path("export.xlsx", persons.export, name="export"),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/review/", duplicates.duplicate_review, name="duplicate_review"),
    path("households/<int:pk>/", persons.household, name="household"),
    path("<int:pk>/", persons.detail, name="detail"),
    path("<int:pk>/edit/", persons.edit, name="edit"),
    path("<int:pk>/statuses/", statuses.status_add, name="status_add"),
    path("<int:pk>/statuses/<int:status_pk>/end/", statuses.status_end, name="status_end"),
    path("import/", roster_imports.import_start, name="import"),
    path("import/history/", roster_imports.import_list, name="import_list"),
    path("import/template.xlsx", roster_imports.import_template, name="import_template"),
    path("import/<int:pk>/", roster_imports.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", roster_imports.import_progress, name="import_progress"),
    path("import/<int:pk>/errors.xlsx", roster_imports.import_errors, name="import_errors"),
]

"""Person pages: ``people:<name>`` (the namespace is set in ``jumin/people/urls.py``)."""

from django.urls import path

from jumin.people import views

urlpatterns = [
    path("", views.search, name="search"),
    path("search/results/", views.search_results, name="search_results"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.export, name="export"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/review/", views.duplicate_review, name="duplicate_review"),
    path("households/<int:pk>/", views.household, name="household"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/statuses/", views.status_add, name="status_add"),
    path("<int:pk>/statuses/<int:status_pk>/end/", views.status_end, name="status_end"),
]

"""The pension's pages that live under ``collection/`` (the paths they always had): dues and
posting runs. Their own namespace, ``contributions``, beside the app's ``pension``."""

from django.urls import path

from jumin.pension.web.views import dues, postings

app_name = "contributions"

urlpatterns = [
    path("dues/", dues.dues, name="dues"),
    path("dues/generate/", dues.dues_generate, name="dues_generate"),
    path("dues/jobs/<uuid:pk>/", dues.dues_job, name="dues_job"),
    path("postings/", postings.postings, name="postings"),
    path("postings/jobs/<uuid:pk>/", postings.posting_job, name="posting_job"),
]

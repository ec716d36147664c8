from django.contrib import admin
from django.urls import include, path

from jumin.api import api

urlpatterns = [
    path("", include("jumin.core.urls")),
    path("people/", include("jumin.people.urls")),
    path("pension/", include("jumin.pension.urls")),
    path("collection/", include("jumin.collection.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

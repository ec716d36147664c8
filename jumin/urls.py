"""Every app's pages under the prefix its registry names, the JSON API and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from jumin.api import api
from jumin.core import registration

urlpatterns = [
    *(path(prefix, include(module)) for prefix, module in registration.url_modules()),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

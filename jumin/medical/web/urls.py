"""The medical pages under ``medical/``, namespace ``medical``; each block's patterns live in
its own module (enrolment and financing: H4). Permissions are declared in ``registry.py``."""

from django.urls import include, path

from jumin.medical.web import enrolment_urls

medical_patterns = [*enrolment_urls.patterns]

urlpatterns = [path("medical/", include((medical_patterns, "medical")))]

"""The medical pages under ``medical/``, namespace ``medical``; permissions are declared in
``registry.py``. Enrolment and financing patterns live in ``enrolment_urls.py``."""

from django.urls import include, path

from jumin.medical.web import enrolment_urls
from jumin.medical.web.views import claims, hospitals, policy

claim_patterns = [
    path("hospitals/", hospitals.hospitals, name="hospitals"),
    path("hospitals/new/", hospitals.hospital_create, name="hospital_create"),
    path("hospitals/<int:pk>/month/", hospitals.hospital_month, name="hospital_month"),
    path("policies/", policy.policies, name="policies"),
    path("policies/<int:pk>/", policy.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/export/", policy.policy_export, name="policy_export"),
    path("policies/edit/", policy.policy_edit, name="policy_edit"),
    path("claims/", claims.claims, name="claims"),
    path("claims/new/", claims.claim_new, name="claim_new"),
    path("claims/trial/", claims.claim_trial, name="claim_trial"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/investigate/", claims.claim_investigate, name="claim_investigate"),
    path("persons/<int:person_pk>/years/<int:year>/", claims.person_year, name="person_year"),
]

medical_patterns = [*enrolment_urls.patterns, *claim_patterns]

urlpatterns = [path("medical/", include((medical_patterns, "medical")))]

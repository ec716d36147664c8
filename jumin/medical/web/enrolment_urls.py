"""The enrolment and financing pages (H4), included by ``web/urls.py``."""

from django.urls import path

from jumin.medical.web.views import enrolment, financing, fund, participation

patterns = [
    path("enrolments/", enrolment.enrolments, name="enrolments"),
    path("enrolments/new/", enrolment.enrolment_register, name="enrolment_register"),
    path("enrolments/renew/", enrolment.enrolment_renew, name="enrolment_renew"),
    path("enrolments/<int:pk>/", enrolment.enrolment_detail, name="enrolment_detail"),
    path(
        "enrolments/<int:pk>/back-payment/",
        enrolment.enrolment_back_payment,
        name="enrolment_back_payment",
    ),
    path("financing/", financing.financing, name="financing"),
    path("financing/<int:pk>/edit/", financing.financing_edit, name="financing_edit"),
    path("fund/", fund.fund, name="fund"),
    path("fund/post/", fund.fund_post, name="fund_post"),
    path("fund/post-settlements/", fund.fund_post_settlements, name="fund_post_settlements"),
    path("participation/", participation.participation, name="participation"),
    path("participation/export/", participation.participation_export, name="participation_export"),
    path(
        "participation/targets/",
        participation.participation_targets,
        name="participation_targets",
    ),
]

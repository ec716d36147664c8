from django.urls import path

from jumin.pension import urls_accounts, urls_enrolment, views

app_name = "pension"

urlpatterns = (
    [
        path("plans/", views.plans, name="plans"),
        path("plans/new/", views.plan_create, name="plan_create"),
        path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
        path("plans/<int:pk>/copy/", views.plan_copy, name="plan_copy"),
        path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    ]
    + urls_enrolment.urlpatterns
    + urls_accounts.urlpatterns
)

"""Pages of this area; included by the app's urls.py (same namespace)."""

from django.urls import path

from jumin.pension import views_enrolment as views

urlpatterns: list = [
    path("enrolments/", views.enrolments, name="enrolments"),
    path("enrolments/new/", views.enrolment_register, name="enrolment_register"),
    path("enrolments/approve/", views.enrolment_approve_many, name="enrolment_approve_many"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/approve/", views.enrolment_approve, name="enrolment_approve"),
    path("enrolments/<int:pk>/reject/", views.enrolment_reject, name="enrolment_reject"),
    path("enrolments/<int:pk>/change/", views.enrolment_change, name="enrolment_change"),
    path("enrolments/<int:pk>/pause/", views.enrolment_pause, name="enrolment_pause"),
    path("enrolments/<int:pk>/resume/", views.enrolment_resume, name="enrolment_resume"),
    path("enrolments/<int:pk>/close/", views.enrolment_close, name="enrolment_close"),
    path("grades/<int:person_pk>/<int:year>/", views.grade_choose, name="grade_choose"),
    path("employee-list/", views.employee_list, name="employee_list"),
]

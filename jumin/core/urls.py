from django.urls import path

from jumin.core import views, views_audit, views_regions, views_staff

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("regions/", views_regions.tree, name="regions"),
    path("regions/import/", views_regions.region_import, name="region_import"),
    path(
        "regions/import/template.xlsx",
        views_regions.region_import_template,
        name="region_import_template",
    ),
    path("regions/<str:code>/", views_regions.tree, name="region"),
    path("staff/", views_staff.staff_list, name="staff"),
    path("staff/new/", views_staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views_staff.staff_edit, name="staff_edit"),
    path(
        "staff/<int:pk>/reset-password/",
        views_staff.staff_reset_password,
        name="staff_reset_password",
    ),
    path("staff/<int:pk>/unlock/", views_staff.staff_unlock, name="staff_unlock"),
    path("staff/<int:pk>/deactivate/", views_staff.staff_deactivate, name="staff_deactivate"),
    path("audit/", views_audit.search, name="audit"),
    path("audit/export.xlsx", views_audit.export, name="audit_export"),
]

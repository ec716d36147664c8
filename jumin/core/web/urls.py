from django.urls import path

from jumin.core.web.views import audit, home, regions, session, staff

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", session.login, name="login"),
    path("logout/", session.logout, name="logout"),
    path("password/", session.password_change, name="password_change"),
    path("regions/", regions.tree, name="regions"),
    path("regions/import/", regions.region_import, name="region_import"),
    path(
        "regions/import/template.xlsx",
        regions.region_import_template,
        name="region_import_template",
    ),
    path("regions/<str:code>/", regions.tree, name="region"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
    path(
        "staff/<int:pk>/reset-password/",
        staff.staff_reset_password,
        name="staff_reset_password",
    ),
    path("staff/<int:pk>/unlock/", staff.staff_unlock, name="staff_unlock"),
    path("staff/<int:pk>/deactivate/", staff.staff_deactivate, name="staff_deactivate"),
    path("audit/", audit.search, name="audit"),
    path("audit/export.xlsx", audit.export, name="audit_export"),
]

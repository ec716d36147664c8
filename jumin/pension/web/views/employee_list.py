"""The employee-scheme list (职保参保名单): importing the list the employee pension reports,
and the enrolments it conflicts with."""

from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jumin.core.access import can, masked_for, require
from jumin.core.pages import page
from jumin.pension.queries import enrolment as queries
from jumin.pension.services.employee_list import import_employee_list
from jumin.pension.web.forms import EmployeeListForm


@require_http_methods(["GET", "POST"])
@page
def employee_list(request):
    user = request.user
    can_import = can(user, "employee_list.import")
    form = EmployeeListForm(request.POST or None, request.FILES or None) if can_import else None
    result = None
    if request.method == "POST":
        require(user, "employee_list.import")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = import_employee_list(
                upload.file,
                acting_user=user,
                region_code=user.region_id,
                file_name=upload.name,
            )
            if result.imported:
                messages.success(request, result.summary())
    conflicts = queries.employee_list_conflicts(user)
    rows = list(conflicts[:500])
    for enrolment in rows:
        enrolment.id_number_shown = masked_for(user, "id_number", enrolment.person.id_number)
    members = queries.employee_member_for(row.person.id_number for row in rows)
    for enrolment in rows:
        enrolment.member = members.get(enrolment.person.id_number)
    return render(
        request,
        "pension/employee_list.html",
        {
            "form": form,
            "result": result,
            "member_count": queries.employee_list_count(user),
            "conflicts": rows,
            "conflict_count": conflicts.count(),
            "can_import": can_import,
        },
    )

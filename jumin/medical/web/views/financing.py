"""Financing pages (H4): the coverage years with their premium, subsidy, window, waiting
parameters and assistance rules; the county admin edits a row of the county's own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core.access import PermissionDeniedForRole, can, in_scope
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.medical.queries import enrolment as queries
from jumin.medical.services import financing as services
from jumin.medical.web.enrolment_forms import AssistanceRuleFormSet, FinancingForm


@require_GET
@page
def financing(request):
    rows = list(queries.financing_list(request.user))
    for row in rows:
        row.editable = can(request.user, "medical_financing.manage") and in_scope(
            request.user, row.region_id
        )
    return render(request, "medical/financing.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@page
def financing_edit(request, pk: int):
    financing = queries.financing_get(request.user, pk)
    if not in_scope(request.user, financing.region_id):
        raise PermissionDeniedForRole("medical_financing.manage")
    initial_rules = [
        {name: getattr(rule, name) for name in services.RULE_FIELDS}
        for rule in financing.assistance_rules.order_by("precedence")
    ]
    form = FinancingForm(request.POST or None, instance=financing)
    if request.method == "POST":
        rules = AssistanceRuleFormSet(request.POST, prefix="rules")
    else:
        rules = AssistanceRuleFormSet(initial=initial_rules, prefix="rules")
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        rows = [
            row.cleaned_data
            for row in rules.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        try:
            services.financing_update(
                acting_user=request.user,
                financing=financing,
                values=form.cleaned_data,
                rule_rows=rows,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("筹资标准已保存。"))
            return redirect("medical:financing")
    return render(
        request,
        "medical/financing_edit.html",
        {"financing": financing, "form": form, "rules": rules},
    )

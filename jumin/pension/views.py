"""Pension pages: contribution plans (read). Thin: authorise, query, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import PermissionDeniedForRole, can, require, scope
from jumin.pension import queries, rules, services
from jumin.pension.forms import GradeFormSet, PlanForm


@require_GET
@login_required
def plans(request):
    return render(request, "pension/plans.html", {"plans": queries.plan_list(request.user)})


@require_GET
@login_required
def plan_detail(request, pk: int):
    plan = queries.plan_get(request.user, pk)
    grades = list(plan.grades.all())
    rows = [(grade, rules.subsidy_total(grade)) for grade in grades]
    context = {
        "plan": plan,
        "rows": rows,
        "paid_rules": plan.government_paid_rules.all(),
        "can_copy": can(request.user, "plan.manage")
        and scope(type(plan).objects.filter(pk=plan.pk), request.user).exists(),
    }
    return render(request, "pension/plan_detail.html", context)


@require_POST
@login_required
def plan_copy(request, pk: int):
    """Copy a plan of the user's own region to the next year."""
    plan = own_plan_or_403(request, pk)
    copy = services.plan_copy(actor=request.user, plan=plan, year=plan.year + 1)
    messages.success(request, _("已复制为%(year)s年缴费方案。") % {"year": copy.year})
    return redirect("pension:plan_detail", copy.pk)


def own_plan_or_403(request, pk: int):
    """A plan the user may change: in scope (else 404), of the user's own region (else 403)."""
    plan = queries.plan_get(request.user, pk)
    require(request.user, "plan.manage")
    if not scope(type(plan).objects.filter(pk=plan.pk), request.user).exists():
        raise PermissionDeniedForRole("plan.manage")
    return plan


def grades_from(formset) -> list[rules.Grade]:
    rows = [form.cleaned_data for form in formset.forms if form.has_changed()]
    rows = [row for row in rows if row and not row.get("DELETE")]
    keys = rules.Grade.__annotations__
    return [rules.Grade(**{key: row[key] for key in keys}) for row in rows]


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request, pk: int):
    plan = own_plan_or_403(request, pk)
    initial = list(plan.grades.values(*rules.Grade.__annotations__))
    if request.method == "POST":
        form = PlanForm(request.POST, instance=plan)
        formset = GradeFormSet(request.POST, prefix="grades")
        if form.is_valid() and formset.is_valid():
            params = {field: form.cleaned_data[field] for field in services.PLAN_FIELDS}
            try:
                services.plan_update(
                    actor=request.user, plan=plan, params=params, grades=grades_from(formset)
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("缴费方案已保存。"))
                return redirect("pension:plan_detail", plan.pk)
    else:
        form = PlanForm(instance=plan)
        formset = GradeFormSet(initial=initial, prefix="grades")
    return render(
        request, "pension/plan_form.html", {"plan": plan, "form": form, "formset": formset}
    )

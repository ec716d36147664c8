"""Pension pages: contribution plans (list, detail, create, copy, edit). Thin: ``@page``
checks the permission, then query or call one service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import PermissionDeniedForRole, can, scope
from jumin.core.forms import add_errors
from jumin.core.models import Region, RegionLevel
from jumin.core.pages import page
from jumin.pension import rules
from jumin.pension.queries import plans as queries
from jumin.pension.services import plans as services
from jumin.pension.web.forms import GradeFormSet, PaidRuleFormSet, PlanCreateForm, PlanForm


@require_GET
@page
def plans(request):
    return render(
        request,
        "pension/plans.html",
        {
            "plans": queries.plan_list(request.user),
            "can_create": can(request.user, "plan.manage"),
        },
    )


@require_GET
@page
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
@page
def plan_copy(request, pk: int):
    """Copy a plan of the user's own region to the next year."""
    plan = own_plan_or_403(request, pk)
    copy = services.plan_copy(actor=request.user, plan=plan, year=plan.year + 1)
    messages.success(request, _("已复制为%(year)s年缴费方案。") % {"year": copy.year})
    return redirect("pension:plan_detail", copy.pk)


def own_plan_or_403(request, pk: int):
    """A plan the user may change (``@page`` checked plan.manage): in scope (else 404), of the
    user's own region (else 403)."""
    plan = queries.plan_get(request.user, pk)
    if not scope(type(plan).objects.filter(pk=plan.pk), request.user).exists():
        raise PermissionDeniedForRole("plan.manage")
    return plan


def changed_rows(formset) -> list[dict]:
    rows = [form.cleaned_data for form in formset.forms if form.has_changed()]
    return [row for row in rows if row and not row.get("DELETE")]


def grades_from(formset) -> list[rules.Grade]:
    keys = rules.Grade.__annotations__
    return [rules.Grade(**{key: row[key] for key in keys}) for row in changed_rows(formset)]


def paid_rules_from(formset) -> list[rules.PaidRule]:
    return services.paid_rules_from(changed_rows(formset))


def plan_forms(
    request, *, plan=None, initial_grades=(), initial_rules=(), extra_grades=2, extra_rules=2
):
    """The plan form with its grade and government-paid rule formsets (bound on POST)."""
    data = request.POST if request.method == "POST" else None
    grade_formset = forms_with_extra(GradeFormSet, extra_grades)
    rule_formset = forms_with_extra(PaidRuleFormSet, extra_rules)
    if data is not None:
        return (
            PlanForm(data, instance=plan),
            grade_formset(data, prefix="grades"),
            rule_formset(data, prefix="rules"),
        )
    return (
        PlanForm(instance=plan, initial=None if plan else default_parameters()),
        grade_formset(initial=list(initial_grades), prefix="grades"),
        rule_formset(initial=list(initial_rules), prefix="rules"),
    )


def forms_with_extra(formset_class, extra: int):
    return type(formset_class.__name__, (formset_class,), {"extra": extra})


def default_parameters() -> dict:
    """Starting values of a new plan's parameters: the seeded national defaults (data)."""
    data = services.plan_data_from_file()
    initial = {field: data[field] for field in services.PLAN_FIELDS if field in data}
    initial["document_number"] = ""
    return initial


@require_http_methods(["GET", "POST"])
@page
def plan_edit(request, pk: int):
    plan = own_plan_or_403(request, pk)
    form, grades, paid_rules = plan_forms(
        request,
        plan=plan,
        initial_grades=plan.grades.values(*rules.Grade.__annotations__),
        initial_rules=plan.government_paid_rules.values(*services.RULE_FIELDS),
    )
    if request.method == "POST" and form.is_valid() and grades.is_valid() and paid_rules.is_valid():
        params = {field: form.cleaned_data[field] for field in services.PLAN_FIELDS}
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                params=params,
                grades=grades_from(grades),
                paid_rules=paid_rules_from(paid_rules),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("缴费方案已保存。"))
            return redirect("pension:plan_detail", plan.pk)
    return render(
        request,
        "pension/plan_form.html",
        {"plan": plan, "form": form, "formset": grades, "rules_formset": paid_rules},
    )


def own_counties(user) -> list[Region]:
    """The counties a user may make plans for: the county of their own region."""
    if user.region_id is None:
        return []
    return list(Region.objects.filter(code=user.region_id[:6] + "000000", level=RegionLevel.COUNTY))


@require_http_methods(["GET", "POST"])
@page
def plan_create(request):
    """A new plan from scratch for a year of the user's county (copying last year's plan is
    on the plan's own page)."""
    regions = own_counties(request.user)
    if not regions:
        raise Http404
    data = request.POST if request.method == "POST" else None
    target = PlanCreateForm(data, regions=regions, initial={"year": timezone.localdate().year + 1})
    form, grades, paid_rules = plan_forms(request, extra_grades=12, extra_rules=6)
    forms = (target, form, grades, paid_rules)
    if request.method == "POST" and all([f.is_valid() for f in forms]):
        try:
            plan = services.plan_create(
                actor=request.user,
                year=target.cleaned_data["year"],
                region_code=target.cleaned_data["region"],
                params={field: form.cleaned_data[field] for field in services.PLAN_FIELDS},
                grades=grades_from(grades),
                paid_rules=paid_rules_from(paid_rules),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("缴费方案已建立。"))
            return redirect("pension:plan_detail", plan.pk)
    return render(
        request,
        "pension/plan_form.html",
        {
            "plan": None,
            "target_form": target,
            "form": form,
            "formset": grades,
            "rules_formset": paid_rules,
        },
    )

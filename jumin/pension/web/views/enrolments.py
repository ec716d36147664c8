"""Enrolment pages (参保登记): list with 待我审核, register, detail with history, approve /
reject (also in bulk at the township), change, pause / resume, close, grade choice. Thin: the page's permission is checked first (``@page``, 403), then
objects come through the scoped queries (out of scope → 404), then one service is called."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import can, masked_for
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.pension.models import CloseReason, EnrolmentStatus, PauseReason
from jumin.pension.queries import enrolment as queries
from jumin.pension.services import enrolment as services
from jumin.pension.web.forms import (
    ChangeForm,
    CloseForm,
    EnrolmentRegisterForm,
    GradeForm,
    PauseForm,
    ReasonForm,
    ResumeForm,
)
from jumin.people import queries as people_queries
from jumin.people.rules import IdNumberError, age_on, parse_id_number

PAGE_SIZE = 50


def error_text(error: ValidationError) -> str:
    return "；".join(dict.fromkeys(error.messages))


# --------------------------------------------------------------------------- list


@require_GET
@page
def enrolments(request):
    user = request.user
    status = request.GET.get("status", "")
    if status not in EnrolmentStatus.values:
        status = ""
    village = request.GET.get("village", "")
    villages = queries.village_choices(user)
    if village and village not in {code for code, _label in villages}:
        raise Http404
    mine = request.GET.get("mine") == "1"
    rows = queries.enrolment_list(user, status=status or None, village=village or None, mine=mine)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for enrolment in page:
        enrolment.id_number_shown = masked_for(user, "id_number", enrolment.person.id_number)
    counts = queries.status_counts(user, village=village or None)
    awaiting = queries.awaiting_statuses(user)
    query = {key: value for key, value in (("status", status), ("village", village)) if value}
    if mine:
        query["mine"] = "1"
    return render(
        request,
        "pension/enrolment_list.html",
        {
            "page": page,
            "status": status,
            "village": village,
            "mine": mine,
            "villages": villages,
            "statuses": [(value, label, counts[value]) for value, label in EnrolmentStatus.choices],
            "total": sum(counts.values()),
            "awaiting_count": sum(counts[s] for s in awaiting),
            "can_act": bool(awaiting),
            "can_register": can(user, "enrolment.register"),
            "can_bulk": can(user, "enrolment.approve_township"),
            "query": urlencode(query),
        },
    )


# --------------------------------------------------------------------------- register


def _find_person(user, raw: str):
    """(person or None, message): the person with this ID number in the user's scope."""
    raw = (raw or "").strip()
    if not raw:
        return None, ""
    try:
        number = parse_id_number(raw, today=services.today()).number
    except IdNumberError as error:
        return None, error.message
    person = people_queries.person_find_by_id_number(user, number)
    if person is None:
        return None, _(
            "没有找到身份证号为 %(number)s 的人员，或不在您的管辖范围内。请先在“查找参保人”中新增人员。"
        ) % {"number": number}
    return person, ""


@require_http_methods(["GET", "POST"])
@page
def enrolment_register(request):
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and data.get("person"):
        # from the person page's 城乡居保 box
        person, not_found = people_queries.person_get(user, data["person"]), ""
        data = {"id_number": person.id_number}
    else:
        person, not_found = _find_person(user, data.get("id_number", ""))
    today = services.today()
    plan, plan_error, grades, refusals, existing = None, "", [], [], None
    if person is not None:
        existing = services.active_enrolment(person)
        try:
            plan = services.plan_for(person.village_id, today.year)
        except ValidationError as error:
            plan_error = error_text(error)
        else:
            grades = services.plan_grades(plan)
            refusals = services.refusals_for(
                person,
                on=today,
                full_time_student=data.get("full_time_student") in ("on", "1", "true"),
                plan=plan,
            )
    form = EnrolmentRegisterForm(
        request.POST if request.method == "POST" else None,
        grades=grades,
        initial={"id_number": data.get("id_number", "")},
    )
    if request.method == "POST" and form.is_valid():
        if person is None:
            form.add_error("id_number", not_found or _("请填写身份证号"))
        else:
            try:
                enrolment, created = services.enrolment_register(
                    acting_user=user,
                    person=person,
                    applied_on=form.cleaned_data["applied_on"],
                    full_time_student=form.cleaned_data["full_time_student"],
                    grade=form.cleaned_data["grade"] or None,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("%(name)s 的参保登记已提交，等待乡镇审核。") % {"name": person.name},
                    )
                else:
                    messages.info(
                        request, _("%(name)s 已有参保登记，未重复登记。") % {"name": person.name}
                    )
                return redirect("pension:enrolment_detail", enrolment.pk)
    return render(
        request,
        "pension/enrolment_register.html",
        {
            "form": form,
            "person": person,
            "not_found": not_found,
            "id_number_shown": masked_for(user, "id_number", person.id_number) if person else "",
            "age": age_on(person.birth_date, today) if person else None,
            "plan": plan,
            "plan_error": plan_error,
            "refusals": refusals,
            "existing": existing,
            "year": today.year,
        },
    )


# --------------------------------------------------------------------------- detail


@require_GET
@page
def enrolment_detail(request, pk: int):
    user = request.user
    enrolment = queries.enrolment_get(user, pk)
    year = services.today().year
    choice = queries.grade_choice_get(user, enrolment.person, year)
    return render(
        request,
        "pension/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "person": enrolment.person,
            "id_number_shown": masked_for(user, "id_number", enrolment.person.id_number),
            "events": [describe(event) for event in queries.enrolment_events(user, enrolment)],
            "actions": queries.actions_for(user, enrolment),
            "year": year,
            "grade_choice": choice,
            "reject_form": ReasonForm(),
            "on_employee_list": services.in_employee_scheme(enrolment.person.id_number),
        },
    )


DETAIL_LABELS = {
    "applied_on": _lazy("申请日期"),
    "grade": _lazy("档次"),
    "registered_on": _lazy("登记日期"),
    "level": _lazy("审核级别"),
    "reason": _lazy("原因"),
    "note": _lazy("说明"),
    "closed_on": _lazy("注销日期"),
    "year": _lazy("年度"),
    "before": _lazy("原来"),
    "after": _lazy("现在"),
    "from": _lazy("开始日期"),
    "paused_for": _lazy("暂停原因"),
}
FIELD_LABELS = {
    "full_time_student": _lazy("在校学生"),
    "note": _lazy("备注"),
    "village_id": _lazy("村（社区）"),
    "level": None,
}
LEVELS = {"township": _lazy("乡镇"), "county": _lazy("县级")}


def _shown(value) -> str:
    if value == "":
        return _("（空）")
    if isinstance(value, dict):
        return "，".join(
            f"{FIELD_LABELS.get(key) or key} {_shown(item)}" for key, item in value.items()
        )
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return str(LEVELS.get(value, value)) if isinstance(value, str) else str(value)


def describe(event):
    """The event's detail as (label, text) pairs for the history table, and its coded
    reason in words."""
    reasons = {"paused": PauseReason, "closed": CloseReason}.get(event.kind)
    event.reason_label = (
        str(reasons(event.reason).label) if reasons and event.reason in reasons.values else ""
    ) or event.reason
    event.lines = [
        (DETAIL_LABELS[key], _shown(value))
        for key, value in (event.detail or {}).items()
        if key in DETAIL_LABELS and value not in (None, "", {})
    ]
    return event


# --------------------------------------------------------------------------- acts


@require_POST
@page
def enrolment_approve(request, pk: int):
    enrolment = queries.enrolment_get(request.user, pk)
    try:
        services.enrolment_approve(acting_user=request.user, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已审核通过。"))
    return redirect("pension:enrolment_detail", enrolment.pk)


@require_POST
@page
def enrolment_approve_many(request):
    ids = request.POST.getlist("ids")
    try:
        count = services.enrolment_township_approve_many(acting_user=request.user, ids=ids)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已审核通过 %(count)s 条，报县级审核。") % {"count": count})
    return redirect(reverse("pension:enrolments") + "?mine=1")


def _act_page(
    request,
    pk,
    *,
    form_class,
    title,
    call,
    success,
    form_kwargs=None,
    initial=None,
    check=None,
):
    """A page with a small form that calls one service on an enrolment (the page's own
    permission is checked by ``@page`` before); ``check(enrolment)`` asks for a permission
    that depends on the enrolment, before the form is read."""
    enrolment = queries.enrolment_get(request.user, pk)
    if check is not None:
        check(enrolment)
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                call(enrolment, form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, success)
                return redirect("pension:enrolment_detail", enrolment.pk)
    else:
        form = form_class(initial=initial or {}, **form_kwargs)
    return render(
        request,
        "pension/enrolment_form.html",
        {"enrolment": enrolment, "person": enrolment.person, "form": form, "title": title},
    )


@require_http_methods(["GET", "POST"])
@page
def enrolment_reject(request, pk: int):
    return _act_page(
        request,
        pk,
        form_class=ReasonForm,
        title=_("退回参保登记"),
        success=_("已退回。"),
        call=lambda enrolment, data: services.enrolment_reject(
            acting_user=request.user, enrolment=enrolment, reason=data["reason"]
        ),
        check=lambda enrolment: services.require_reviewer(request.user, enrolment),
    )


@require_http_methods(["GET", "POST"])
@page
def enrolment_pause(request, pk: int):
    return _act_page(
        request,
        pk,
        form_class=PauseForm,
        title=_("暂停缴费"),
        success=_("已暂停缴费。"),
        call=lambda enrolment, data: services.enrolment_pause(
            acting_user=request.user, enrolment=enrolment, reason=data["reason"], note=data["note"]
        ),
    )


@require_http_methods(["GET", "POST"])
@page
def enrolment_resume(request, pk: int):
    return _act_page(
        request,
        pk,
        form_class=ResumeForm,
        title=_("恢复缴费"),
        success=_("已恢复缴费。"),
        call=lambda enrolment, data: services.enrolment_resume(
            acting_user=request.user, enrolment=enrolment, note=data["note"]
        ),
    )


@require_http_methods(["GET", "POST"])
@page
def enrolment_close(request, pk: int):
    return _act_page(
        request,
        pk,
        form_class=CloseForm,
        title=_("注销登记"),
        success=_("已注销登记。"),
        initial={"closed_on": services.today()},
        call=lambda enrolment, data: services.enrolment_close(
            acting_user=request.user,
            enrolment=enrolment,
            reason=data["reason"],
            closed_on=data["closed_on"],
            note=data["note"],
        ),
    )


@require_http_methods(["GET", "POST"])
@page
def enrolment_change(request, pk: int):
    enrolment = queries.enrolment_get(request.user, pk)
    village_choices = queries.village_choices(request.user)
    village = enrolment.village_id
    if village not in {code for code, _label in village_choices}:
        village = enrolment.person.village_id  # registered before a move: where they live now
    return _act_page(
        request,
        pk,
        form_class=ChangeForm,
        title=_("变更登记"),
        success=_("已变更登记。"),
        form_kwargs={"village_choices": village_choices},
        initial={
            "full_time_student": enrolment.full_time_student,
            "village": village,
            "note": enrolment.note,
        },
        call=lambda enrolment, data: services.enrolment_change(
            acting_user=request.user,
            enrolment=enrolment,
            full_time_student=data["full_time_student"],
            note=data["note"],
            village_code=data["village"],
            reason=data["reason"],
        ),
    )


# --------------------------------------------------------------------------- grade


@require_http_methods(["GET", "POST"])
@page
def grade_choose(request, person_pk: int, year: int):
    user = request.user
    person = people_queries.person_get(user, person_pk)
    if not 2000 <= year <= 2100:
        raise Http404
    enrolment = queries.person_enrolment(user, person)
    plan, plan_error, grades = None, "", []
    try:
        plan = services.plan_for(person.village_id, year)
        grades = services.plan_grades(plan)
    except ValidationError as error:
        plan_error = error_text(error)
    choice = queries.grade_choice_get(user, person, year)
    form = GradeForm(
        request.POST if request.method == "POST" else None,
        grades=grades,
        initial={"amount": str(choice.amount) if choice else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_choose(
                acting_user=user, person=person, year=year, amount=form.cleaned_data["amount"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(year)s年缴费档次已保存。") % {"year": year})
            if enrolment is not None:
                return redirect("pension:enrolment_detail", enrolment.pk)
            return redirect("people:detail", person.pk)
    return render(
        request,
        "pension/enrolment_grade.html",
        {
            "person": person,
            "enrolment": enrolment,
            "year": year,
            "form": form,
            "plan": plan,
            "plan_error": plan_error,
            "choice": choice,
            "lowest": grades[0].amount if grades else None,
        },
    )

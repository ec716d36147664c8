"""Pages of life certification (资格认证), deaths (死亡上报, imported lists to review) and the
recovery cases (多发待遇追回) with the inheritance. Thin: services write, queries read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import can, require
from jumin.core.exports import ExcelExport
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.core.uploads import read_upload
from jumin.pension.models import DeathStatus
from jumin.pension.queries import payroll as queries
from jumin.pension.services import certification, deaths
from jumin.pension.web.forms import (
    CertificationForm,
    CollectionForm,
    DeathListForm,
    DeathReportForm,
    InheritanceForm,
    ReasonForm,
)

MAX_LIST_BYTES = 20 * 1024 * 1024


def _person(form, user):
    """The pensioner of the form's ID number in the user's scope; a form error otherwise."""
    try:
        return queries.person_with_award(user, form.cleaned_data["id_number"])
    except Http404:
        form.add_error("id_number", "本辖区没有这个身份证号的待遇领取人")
        return None


# --------------------------------------------------------------------------- certification


@require_http_methods(["GET", "POST"])
@page
def certifications(request):
    user = request.user
    form = CertificationForm(
        request.POST or None, request.FILES or None, initial={"certified_on": timezone.localdate()}
    )
    if request.method == "POST":
        require(user, "certification.record")
        if form.is_valid() and (person := _person(form, user)) is not None:
            try:
                _certification, created = certification.certification_record(
                    acting_user=user,
                    person=person,
                    certified_on=form.cleaned_data["certified_on"],
                    channel=form.cleaned_data["channel"],
                    photo=form.cleaned_data.get("photo"),
                    note=form.cleaned_data.get("note") or "",
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, f"已登记{person.name}的资格认证" if created else "这次认证已登记过"
                )
                return redirect("pension:certifications")
    return render(
        request,
        "pension/certifications.html",
        {
            "form": form,
            "recent": queries.certification_list(user).order_by("-created_at")[:50],
            "can_record": can(user, "certification.record"),
        },
    )


@require_GET
@page
def certifications_due(request):
    user = request.user
    today = timezone.localdate()
    rows = queries.certification_due_list(user, on=today, months=2)
    if request.GET.get("format") == "xlsx":
        export = ExcelExport()
        sheet = export.sheet("待认证名单")
        sheet.widths(16, 12, 22, 14, 10)
        sheet.append(["村（社区）", "姓名", "身份证号", "认证截止日", "状态"])
        for row in rows:
            sheet.append(
                [
                    row["village"].name,
                    row["person"].name,
                    row["person"].id_number,
                    row["due"],
                    "已暂停" if row["suspended"] else ("已逾期" if row["overdue"] else "待认证"),
                ]
            )
        return export.response(f"待认证名单-{today:%Y%m%d}.xlsx")
    return render(
        request,
        "pension/certifications_due.html",
        {"rows": rows, "today": today, "can_record": can(user, "certification.record")},
    )


# --------------------------------------------------------------------------- deaths


@require_http_methods(["GET", "POST"])
@page
def deaths_page(request):
    user = request.user
    form = DeathReportForm(request.POST or None)
    if request.method == "POST":
        require(user, "death.report")
        if form.is_valid() and (person := _person(form, user)) is not None:
            try:
                _report, recovery = deaths.death_report(
                    acting_user=user,
                    person=person,
                    death_date=form.cleaned_data["death_date"],
                    proof=form.cleaned_data.get("proof") or "",
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                text = f"已上报{person.name}死亡，待遇从死亡次月起停发"
                if recovery is not None and recovery.overpaid:
                    text += f"；死亡后多发{recovery.overpaid}元，已立追回案"
                messages.success(request, text)
                return redirect("pension:deaths")
    reports = queries.death_report_list(user)
    return render(
        request,
        "pension/deaths.html",
        {
            "form": form,
            "pending": reports.filter(status=DeathStatus.PENDING).order_by("reported_at")[:200],
            "reports": reports.exclude(status=DeathStatus.PENDING).order_by("-reported_at")[:100],
            "can_report": can(user, "death.report"),
            "can_confirm": can(user, "death.confirm"),
            "list_form": DeathListForm(),
        },
    )


@require_POST
@page
def death_import(request):
    form = DeathListForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = read_upload(form.cleaned_data["file"], limit=MAX_LIST_BYTES)
            import io

            result = deaths.death_list_import(
                acting_user=request.user, source=form.cleaned_data["source"], data=io.BytesIO(data)
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"名单已比对：{result['reports']}人待核实，{result['unmatched']}人不是本辖区待遇领取人",
            )
            for problem in result["problems"][:100]:
                messages.warning(
                    request, f"第{problem['row']}行 {problem['field']}：{problem['message']}"
                )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("pension:deaths")


@require_POST
@page
def death_confirm(request, pk):
    report = queries.death_report_get(request.user, pk)
    try:
        recovery = deaths.death_confirm(acting_user=request.user, report=report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = f"已核实{report.person.name}死亡，待遇停发"
        if recovery is not None and recovery.overpaid:
            text += f"；死亡后多发{recovery.overpaid}元，已立追回案"
        messages.success(request, text)
    return redirect("pension:deaths")


@require_POST
@page
def death_reject(request, pk):
    report = queries.death_report_get(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        deaths.death_reject(acting_user=request.user, report=report, reason=reason)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已标记为不属实")
    return redirect("pension:deaths")


# --------------------------------------------------------------------------- recoveries


@require_GET
@page
def recoveries(request):
    return render(
        request,
        "pension/recoveries.html",
        {"recoveries": queries.recovery_list(request.user).order_by("status", "-created_at")[:200]},
    )


@require_GET
@page
def recovery_detail(request, pk):
    recovery = queries.recovery_get(request.user, pk)
    return render(
        request,
        "pension/recovery_detail.html",
        {
            "recovery": recovery,
            "items": recovery.items.all(),
            "balance": deaths.account_balance(recovery.person),
            "can_manage": can(request.user, "recovery.manage"),
            "inherit_form": InheritanceForm(),
            "collect_form": CollectionForm(),
        },
    )


@require_POST
@page
def recovery_inherit(request, pk):
    recovery = queries.recovery_get(request.user, pk)
    form = InheritanceForm(request.POST)
    if form.is_valid():
        try:
            recovery = deaths.inheritance_pay(acting_user=request.user, recovery=recovery,
                                              **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已向继承人支付{recovery.inherited}元")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("pension:recovery_detail", recovery.pk)


@require_POST
@page
def recovery_collect(request, pk):
    recovery = queries.recovery_get(request.user, pk)
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            recovery = deaths.recovery_collect(
                acting_user=request.user,
                recovery=recovery,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已登记退回，未追回{recovery.outstanding}元")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("pension:recovery_detail", recovery.pk)

"""Pages of the monthly payroll (待遇发放): the list and building a month, a payroll with its
changes since last month, approval, the bank files, the finance submission.

Thin: ``jumin.pension.jobs`` queues the build, ``services.payroll`` writes,
``queries.payroll`` reads through the user's scope.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import can, require, user_county
from jumin.core.exports import ExcelExport, download
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.core.uploads import read_upload
from jumin.pension import jobs
from jumin.pension.models import LineKind
from jumin.pension.queries import payroll as queries
from jumin.pension.services import payroll as services
from jumin.pension.web.forms import MonthForm, PaymentResultForm


@require_http_methods(["GET", "POST"])
@page
def payrolls(request):
    user = request.user
    today = timezone.localdate()
    form = MonthForm(request.POST or None, initial={"month": f"{today:%Y-%m}"})
    if request.method == "POST":
        require(user, "payroll.build")
        if form.is_valid():
            try:
                _run, started = jobs.payroll_submit(
                    acting_user=user,
                    region_code=user_county(user),
                    month=form.cleaned_data["month"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if started:
                    messages.success(request, "已开始生成发放表，完成后会出现在下面的列表中。")
                else:
                    messages.info(request, "这个月的发放表正在生成中。")
                return redirect("pension:payrolls")
    return render(
        request,
        "pension/payrolls.html",
        {
            "form": form,
            "payrolls": queries.payroll_list(user)[:60],
            "jobs": queries.payroll_jobs(user)[:5],
            "can_build": can(user, "payroll.build"),
            "report_deadline": today.replace(day=10),
        },
    )


@require_GET
@page
def payroll_detail(request, pk):
    user = request.user
    payroll = queries.payroll_get(user, pk)
    changes = queries.payroll_changes(payroll)
    recoveries = queries.recoveries_by_award(award.pk for award in changes["stopped"])
    stopped = [(award, recoveries.get(award.pk)) for award in changes["stopped"]]
    summary = services.payroll_summary(payroll)
    kinds = [(label, summary[value]) for value, label in LineKind.choices if value in summary]
    return render(
        request,
        "pension/payroll_detail.html",
        {
            "payroll": payroll,
            "kinds": kinds,
            "changes": changes,
            "stopped": stopped,
            "failed": queries.failed_lines(payroll)[:200],
            "late": timezone.localdate() > payroll.approval_deadline,
            # approving after the 15th is allowed; the page says it was late
            "approved_late": payroll.approved_at is not None
            and timezone.localdate(payroll.approved_at) > payroll.approval_deadline,
            "can_approve": can(user, "payroll.approve")
            and payroll.status == "built"
            and payroll.build_finished
            and payroll.built_by_id != user.pk,
            "builder_is_me": payroll.built_by_id == user.pk,
            "can_pay": can(user, "payroll.pay"),
            "result_form": PaymentResultForm(),
        },
    )


@require_POST
@page
def payroll_approve(request, pk):
    payroll = queries.payroll_get(request.user, pk)
    try:
        services.payroll_approve(acting_user=request.user, payroll=payroll)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "发放表已审核")
    return redirect("pension:payroll_detail", payroll.pk)


@require_POST
@page
def payroll_export(request, pk):
    payroll = queries.payroll_get(request.user, pk)
    try:
        data, name = services.payroll_export(acting_user=request.user, payroll=payroll)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("pension:payroll_detail", payroll.pk)
    return download(data, file_name=name, content_type="text/csv; charset=utf-8")


@require_POST
@page
def payroll_result(request, pk):
    payroll = queries.payroll_get(request.user, pk)
    form = PaymentResultForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = read_upload(form.cleaned_data["file"], limit=settings.JUMIN_BANK_FILE_MAX_BYTES)
            payroll = services.payroll_result_import(
                acting_user=request.user, payroll=payroll, data=data
            )
        except ValidationError as error:
            for message in error.messages[:50]:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"银行结果已导入：成功{payroll.line_count - payroll.failed_count}笔，"
                f"失败{payroll.failed_count}笔（失败的将在下月发放表中重发）",
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("pension:payroll_detail", payroll.pk)


@require_POST
@page
def payroll_close(request, pk):
    payroll = queries.payroll_get(request.user, pk)
    try:
        services.payroll_close(acting_user=request.user, payroll=payroll)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "本月发放已结束")
    return redirect("pension:payroll_detail", payroll.pk)


@require_GET
@page
def payroll_finance(request, pk):
    """The finance submission (资金申请表) as Excel: per village, the money by source."""
    from jumin.core import audit
    from jumin.pension.registry import PensionAction

    payroll = queries.payroll_get(request.user, pk)
    export = ExcelExport()
    sheet = export.sheet("资金申请")
    sheet.widths(14, 16, 8, 14, 14, 14, 14, 14)
    sheet.append([f"{payroll.region.name}{payroll.month:%Y年%m月}城乡居保待遇发放资金申请"])
    sheet.append(["区划代码", "村（社区）", "笔数", "基础养老金", "个人账户养老金",
                  "其中账户支付", "其中补发", "合计"])  # fmt: skip
    for row in services.finance_rows(payroll):
        sheet.append(
            [
                row["village_id"],
                row["village__name"],
                row["count"],
                row["basic"],
                row["account"],
                row["from_account"],
                row["arrears"] or 0,
                row["amount"],
            ]
        )
    sheet.append(["合计", "", payroll.line_count, "", "", "", "", payroll.amount_sum])
    audit.record(
        actor=request.user,
        action=PensionAction.PAYROLL_FINANCE_EXPORT,
        obj=payroll,
        after={"line_count": payroll.line_count, "amount_sum": payroll.amount_sum},
    )
    return export.response(f"资金申请-{payroll.key}.xlsx")

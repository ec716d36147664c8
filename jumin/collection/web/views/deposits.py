"""Deposit pages (缴存登记, 乡镇/县财务核对) and the overdue list with its Excel export.

Thin: forms parse, ``services/deposits.py`` writes, ``queries/deposits.py`` reads through the user's scope
(out of scope → 404). The overdue list is "as of" a date the user picks (today by default).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.collection.models import DepositStatus
from jumin.collection.queries import deposits as queries
from jumin.collection.queries.receipts import townships_and_villages
from jumin.collection.registry import CollectionAction
from jumin.collection.services import deposits as services
from jumin.collection.web.forms import DepositForm, OverdueForm, ReturnForm, region_filter
from jumin.core import audit
from jumin.core.access import can, require
from jumin.core.exports import ExcelExport
from jumin.core.forms import add_errors
from jumin.core.models import RegionLevel
from jumin.core.pages import page


def _record_village(request, villages) -> str:
    """The village whose receipts the record form lists: the assistant's own, else chosen."""
    codes = {village.code for village in villages}
    if request.user.region and request.user.region.level == RegionLevel.VILLAGE:
        return request.user.region_id
    chosen = region_filter(request.POST.get("village") or request.GET.get("record_village", ""))
    return chosen if chosen in codes else ""


@require_http_methods(["GET", "POST"])
@page
def deposit_list(request):
    """The deposits in scope, and the record form (checkboxes of the village's receipts)."""
    township = region_filter(request.GET.get("township", ""))
    village = region_filter(request.GET.get("village", ""))
    status = request.GET.get("status", "")
    status = status if status in DepositStatus.values else ""
    townships, villages = townships_and_villages(request.user)
    can_record = can(request.user, "deposit.record")
    form, record_village = None, ""
    if can_record:
        record_village = _record_village(request, villages)
    if request.method == "POST":
        require(request.user, "deposit.record")  # before the form is read
    if record_village:
        receipts = list(queries.undeposited_receipts(request.user, record_village))
        form = DepositForm(
            request.POST or None,
            receipts=receipts,
            initial={"village": record_village, "depositor_name": request.user.full_name},
        )
        if request.method == "POST" and form.is_valid():
            try:
                deposit = services.deposit_record(acting_user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"已登记缴存：{deposit.bank} 缴款单{deposit.slip_number}，{deposit.amount}元",
                )
                return redirect("collection:deposit_detail", deposit.pk)
    elif request.method == "POST":
        messages.error(request, "请先选择村（社区）")
    rows = queries.deposit_list(request.user, township=township, village=village, status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = urlencode(
        {k: v for k, v in {"township": township, "village": village, "status": status}.items() if v}
    )
    return render(
        request,
        "collection/deposits.html",
        {
            "page": page,
            "query": query,
            "townships": townships,
            "villages": villages,
            "township": township,
            "village": village,
            "status": status,
            "statuses": DepositStatus.choices,
            "can_record": can_record,
            "record_village": record_village,
            "record_villages": []
            if request.user.region and request.user.region.level == RegionLevel.VILLAGE
            else villages,
            "form": form,
        },
        status=422 if form is not None and form.errors else 200,
    )


@require_GET
@page
def deposit_detail(request, pk: int):
    deposit = queries.deposit_get(request.user, pk)
    deadlines, late = queries.deadlines_for_deposit(deposit)
    township_can = (
        can(request.user, "deposit.check_township") and deposit.status == DepositStatus.RECORDED
    )
    county_can = (
        can(request.user, "deposit.check_county")
        and deposit.status == DepositStatus.TOWNSHIP_CHECKED
    )
    may_return = (township_can or county_can) or (
        can(request.user, "deposit.check_county") and deposit.status == DepositStatus.RECORDED
    )
    return render(
        request,
        "collection/deposit_detail.html",
        {
            "deposit": deposit,
            "receipts": queries.deposit_receipts(request.user, deposit),
            "deadlines": deadlines,
            "late": late,
            "can_check": township_can or county_can,
            "can_return": may_return,
            "return_form": ReturnForm(),
        },
    )


@require_POST
@page
def deposit_check(request, pk: int):
    deposit = queries.deposit_get(request.user, pk)
    try:
        deposit = services.deposit_check(acting_user=request.user, deposit=deposit)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已核对：{deposit.get_status_display()}")
    return redirect("collection:deposit_detail", deposit.pk)


@require_POST
@page
def deposit_return(request, pk: int):
    deposit = queries.deposit_get(request.user, pk)
    services.require_deposit_checker(request.user)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回原因")
        return redirect("collection:deposit_detail", deposit.pk)
    try:
        services.deposit_return(
            acting_user=request.user, deposit=deposit, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已退回，所含票据可以重新登记缴存")
    return redirect("collection:deposit_detail", deposit.pk)


def _overdue(request):
    form = OverdueForm(request.GET or None)
    on = timezone.localdate()
    township = village = ""
    if form.is_bound and form.is_valid():
        on = form.cleaned_data["on"] or on
        township = region_filter(form.cleaned_data["township"])
        village = region_filter(form.cleaned_data["village"])
    report = queries.overdue_list(request.user, on=on, township=township, village=village)
    return report, {"on": on, "township": township, "village": village}


@require_GET
@page
def overdue(request):
    report, params = _overdue(request)
    townships, villages = townships_and_villages(request.user)
    query = urlencode(
        {
            "on": params["on"].isoformat(),
            "township": params["township"],
            "village": params["village"],
        }
    )
    return render(
        request,
        "collection/overdue.html",
        {
            "report": report,
            "kinds": list(queries.OVERDUE_KINDS.values()),
            "townships": townships,
            "villages": villages,
            "query": query,
            **params,
        },
    )


EXPORT_COLUMNS = (
    "乡镇",
    "村（社区）",
    "类别",
    "票据或缴款单",
    "交款人/缴款人",
    "金额",
    "截止日期",
    "逾期天数",
)


@require_GET
@page
def overdue_export(request):
    """The overdue list as an Excel file: a summary sheet and the rows."""
    report, params = _overdue(request)
    workbook = ExcelExport()
    summary = workbook.sheet("汇总")
    summary.append(["区域", "级别", *queries.OVERDUE_KINDS.values(), "逾期未缴存金额"])
    for row in report.summary:
        level = "乡镇" if row.level == RegionLevel.TOWNSHIP else "村（社区）"
        summary.append([row.name, level, *row.count_list, row.undeposited_amount])
    sheet = workbook.sheet("明细")
    sheet.append([f"截至 {report.on:%Y-%m-%d} 的逾期清单"])
    sheet.append(EXPORT_COLUMNS)
    for row in report.rows:
        sheet.append(
            [
                row.township_name,
                row.village_name,
                row.kind_label,
                row.reference,
                row.name,
                row.amount,
                row.deadline,
                row.days,
            ]
        )
    response = workbook.response(f"overdue-{report.on:%Y%m%d}.xlsx")
    audit.record(
        actor=request.user,
        action=CollectionAction.OVERDUE_EXPORT,
        object_type="collection.deposit",
        object_label="逾期清单导出",
        region_code=request.user.region_id or "",
        after={
            "rows": len(report.rows),
            "on": report.on,
            **{k: v for k, v in params.items() if k != "on"},
        },
    )
    return response

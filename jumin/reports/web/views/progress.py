"""Collection progress (征缴进度) and township targets (任务数): thin pages over
``jumin.reports.queries.progress`` and ``jumin.reports.services.targets``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core import audit
from jumin.core.access import can
from jumin.core.exports import ExcelExport
from jumin.core.pages import page
from jumin.reports.queries import progress
from jumin.reports.registry import ReportsAction
from jumin.reports.services.targets import targets_set


def report_for(request) -> progress.ProgressReport:
    year = progress.parse_year(request.GET.get("year"))
    return progress.progress_report(
        request.user, year=year, region_code=request.GET.get("region") or None
    )


@require_GET
@page
def progress_page(request):
    report = report_for(request)
    return render(
        request,
        "reports/progress.html",
        {
            "report": report,
            "columns": progress.PROGRESS_COLUMNS,
            "can_set_targets": can(request.user, "target.set"),
        },
    )


@require_GET
@page
def progress_export(request):
    """The same rows as the page, with a totals row, as an Excel file."""
    report = report_for(request)
    workbook = ExcelExport()
    sheet = workbook.sheet(_("征缴进度"))
    sheet.append([f"{report.region.name}{report.year}年城乡居保征缴进度"])
    sheet.append([label for _key, label in progress.PROGRESS_COLUMNS])
    for row in [*report.rows, report.total]:
        sheet.append(row.as_dict().values())
    response = workbook.response(f"progress-{report.region.code}-{report.year}.xlsx")
    # "progress_export" is not a read-only action name: audit.record wants a transaction
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=ReportsAction.PROGRESS_EXPORT,
            object_type="reports.collectiontarget",
            object_label=f"{report.region.name}{report.year}年征缴进度",
            region_code=report.region.code,
            after={"year": report.year, "region": report.region.code, "rows": len(report.rows)},
        )
    return response


@require_http_methods(["GET", "POST"])
@page
def targets(request):
    """One form listing every township of the county: 任务数 and (optional) 金额任务."""
    year = progress.parse_year(request.POST.get("year") or request.GET.get("year"))
    errors = {}
    typed = {}
    if request.method == "POST":
        county, rows = progress.target_townships(request.user, year=year)
        typed = {
            row.code: (
                request.POST.get(f"count_{row.code}", ""),
                request.POST.get(f"amount_{row.code}", ""),
            )
            for row in rows
        }
        try:
            counts = targets_set(acting_user=request.user, year=year, targets=typed)
        except ValidationError as error:
            errors = error.message_dict
        else:
            if any(counts.values()):
                messages.success(
                    request,
                    _(
                        "%(year)s年任务数已保存：新设%(created)s个，修改%(updated)s个，取消%(removed)s个。"
                    )
                    % {"year": year, **counts},
                )
            else:
                messages.info(request, _("任务数没有变化。"))
            return redirect(f"{reverse('reports:progress')}?year={year}")
    county, rows = progress.target_townships(request.user, year=year)
    lines = []
    for row in rows:
        count, amount = typed.get(row.code, (row.target_count, row.target_amount))
        lines.append(
            {
                "row": row,
                "count": "" if count is None else count,
                "amount": "" if amount is None else amount,
                "errors": errors.get(f"count_{row.code}", [])
                + errors.get(f"amount_{row.code}", []),
            }
        )
    other = [
        message for key, items in errors.items() for message in items if key in ("year", "region")
    ]
    return render(
        request,
        "reports/targets.html",
        {"county": county, "year": year, "lines": lines, "errors": other},
    )

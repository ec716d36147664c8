"""Roster import pages: upload, progress (htmx polling), summary, errors, template, history.

Thin: the form parses, ``services.roster_imports`` stores and queues, ``queries.roster_imports`` reads
through the importer's scope (another township's import → 404).
"""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core.forms import add_errors
from jumin.core.models import JobStatus
from jumin.core.pages import page
from jumin.people import queries
from jumin.people.formats.roster_workbooks import (
    errors_path,
    errors_workbook_bytes,
    template_workbook,
)
from jumin.people.services import roster_imports
from jumin.people.services.roster_import_batch import (
    OUTCOME_IMPORTED,
    OUTCOME_REFUSED,
    OUTCOME_REJECTED,
)
from jumin.people.web.forms import RosterImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 20


@page
@require_http_methods(["GET", "POST"])
def import_start(request):
    if request.method == "POST":
        form = RosterImportForm(request.POST, request.FILES)
    else:
        form = RosterImportForm()
    if form.is_bound and form.is_valid():
        try:
            roster_import, started = roster_imports.roster_import_submit(
                acting_user=request.user,
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if not started:
                messages.info(
                    request,
                    _("这个文件已经交过了（内容相同），下面是那一次导入的情况，没有重复导入。"),
                )
            return redirect("people:import_detail", roster_import.pk)
    recent = queries.roster_import_recent(request.user, limit=5)
    return render(request, "people/import_start.html", {"form": form, "recent": recent})


@page
@require_GET
def import_list(request):
    return render(
        request, "people/import_list.html", {"imports": queries.roster_import_recent(request.user)}
    )


@page
@require_GET
def import_detail(request, pk: int):
    roster_import = queries.roster_import_get(request.user, pk)
    return render(request, "people/import_detail.html", status_context(roster_import))


@page
@require_GET
def import_progress(request, pk: int):
    roster_import = queries.roster_import_get(request.user, pk)
    return render(request, "people/import_progress.html", status_context(roster_import))


@page
@require_GET
def import_errors(request, pk: int):
    roster_import = queries.roster_import_get(request.user, pk)
    file_name = f"导入错误-{roster_import.pk}.xlsx"
    path = errors_path(roster_import.pk)
    if path.exists():
        return FileResponse(
            open(path, "rb"), as_attachment=True, filename=file_name, content_type=XLSX
        )
    if not roster_import.errors:
        raise Http404
    # The full list is written by the job; if it is gone, the first errors kept in the record.
    rows = [(e["row"], e["column"], e["value"], e["message"]) for e in roster_import.errors]
    return _xlsx_response(errors_workbook_bytes(rows, title=roster_import.job.message), file_name)


@page
@require_GET
def import_template(request):
    return _xlsx_response(template_workbook(), "花名册导入模板.xlsx")


def _xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=file_name, content_type=XLSX
    )


def status_context(roster_import) -> dict:
    job = roster_import.job
    result = job.result or {}
    finished = job.is_finished
    outcome = result.get("outcome", "")
    return {
        "roster_import": roster_import,
        "job": job,
        "finished": finished,
        "outcome": outcome,
        "imported": outcome == OUTCOME_IMPORTED,
        "rejected": outcome == OUTCOME_REJECTED,
        "refused": outcome == OUTCOME_REFUSED,
        "failed": job.status == JobStatus.FAILED,
        "interrupted": job.shown_status == JobStatus.INTERRUPTED,
        "result": result,
        "errors_shown": roster_import.errors[:ERRORS_SHOWN] if finished else [],
        "errors_more": max(result.get("errors", 0) - ERRORS_SHOWN, 0),
    }

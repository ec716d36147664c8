"""Roster import pages: upload, progress (htmx polling), summary, errors, template, history.

Thin: the form parses, ``services.roster_imports`` stores and queues, ``queries.roster_imports`` reads
through the importer's scope (another township's import → 404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core.exports import XLSX_CONTENT_TYPE, download
from jumin.core.forms import add_errors
from jumin.core.models import JobStatus
from jumin.core.pages import page
from jumin.people import queries
from jumin.people.formats.roster_workbooks import errors_file, template_workbook
from jumin.people.services import roster_imports
from jumin.people.services.roster_import_batch import (
    OUTCOME_IMPORTED,
    OUTCOME_REFUSED,
    OUTCOME_REJECTED,
)
from jumin.people.web.forms import RosterImportForm

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
    content, file_name = errors_file(roster_import)
    return download(content, file_name=file_name, content_type=XLSX_CONTENT_TYPE)


@page
@require_GET
def import_template(request):
    return download(
        template_workbook(), file_name="花名册导入模板.xlsx", content_type=XLSX_CONTENT_TYPE
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

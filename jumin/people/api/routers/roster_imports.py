"""``/api/imports``: hand in a roster file, follow its import, fetch its errors.

The same service as the web page: an identical file (same content, region and mode) handed
in again while its earlier import is queued, running or done answers that import (200)
instead of starting another (201). Another area's import answers 404.
"""

from django.http import Http404
from ninja import File, Form, Router, Status, UploadedFile

from jumin.core.api import error_responses
from jumin.core.exports import XLSX_CONTENT_TYPE, download
from jumin.core.text import is_ascii_digits
from jumin.people import queries
from jumin.people.api.schemas import ERRORS_IN_ANSWER, ImportErrorOut, ImportOut
from jumin.people.formats.roster_workbooks import errors_file
from jumin.people.services import roster_imports

router = Router(tags=["imports"])


def import_out(request, roster_import) -> ImportOut:
    job = roster_import.job
    result = job.result or {}
    errors_count = result.get("errors", len(roster_import.errors))
    return ImportOut(
        id=roster_import.pk,
        job_id=job.pk,
        file_name=roster_import.file_name,
        file_sha256=roster_import.file_sha256,
        mode=roster_import.mode,
        status=job.shown_status,
        status_label=job.shown_status_label,
        stage=job.stage,
        done=job.done,
        total=job.total,
        percent=job.percent,
        outcome=result.get("outcome", ""),
        message=job.message,
        encoding=result.get("encoding", ""),
        rows_total=roster_import.rows_total,
        rows_added=roster_import.rows_added,
        rows_updated=roster_import.rows_updated,
        rows_unchanged=roster_import.rows_unchanged,
        rows_rejected=roster_import.rows_rejected,
        errors=[
            ImportErrorOut(
                row=error["row"],
                column=error["column"],
                value=str(error["value"]),
                message=error["message"],
            )
            for error in roster_import.errors[:ERRORS_IN_ANSWER]
        ],
        errors_count=errors_count,
        errors_url=(
            request.build_absolute_uri(f"/api/imports/{roster_import.pk}/errors.xlsx")
            if roster_import.errors
            else None
        ),
        created_at=roster_import.created_at,
        finished_at=job.finished_at,
    )


@router.post(
    "",
    response={201: ImportOut, 200: ImportOut, **error_responses(401, 403, 422)},
    summary="导入花名册文件（后台进行）",
    description="multipart/form-data：file（.xlsx 或 .csv）与 mode（all_or_nothing 或 valid_only）。"
    "新开始的导入返回 201；同一文件（内容、区域、方式都相同）已在排队、进行中或已完成时返回那一次（200），不会重复导入。",
)
def import_create_endpoint(request, file: File[UploadedFile], mode: Form[str]):
    mode = (mode or "").strip().replace("-", "_")
    roster_import, started = roster_imports.roster_import_submit(
        acting_user=request.user, upload=file, mode=mode
    )
    roster_import = queries.roster_import_get(request.user, roster_import.pk)
    return Status(201 if started else 200, import_out(request, roster_import))


@router.get(
    "/{import_id}",
    response={200: ImportOut, **error_responses(401, 403, 404)},
    summary="一次导入的状态、进度、数量和前几条错误",
)
def import_get_endpoint(request, import_id: str):
    return import_out(request, queries.roster_import_get(request.user, _pk(import_id)))


@router.get(
    "/{import_id}/errors.xlsx",
    response={200: None, **error_responses(401, 403, 404)},
    summary="错误清单（Excel：行号、列、内容、原因）",
)
def import_errors_endpoint(request, import_id: str):
    roster_import = queries.roster_import_get(request.user, _pk(import_id))
    content, file_name = errors_file(roster_import)
    return download(content, file_name=file_name, content_type=XLSX_CONTENT_TYPE)


def _pk(text: str) -> int:
    if not is_ascii_digits(text) or len(text) > 18:
        raise Http404
    return int(text)

"""``/api/withholding``: bank withholding batches (create, export file, result upload, confirm);
its router is declared in ``registry.py``. Thin: each endpoint calls one query or
service; scoping lives there, so anything outside the caller's region answers 404. A refused
file answers 422 with every problem in ``errors`` (``field`` = 第N行 or the header field).
An upload of a file already imported answers 200 with the earlier import (201 when new).
"""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import File, Path, Router, Status, UploadedFile

from jumin.collection.api.schemas import BatchIn, BatchOut, ResultFileOut
from jumin.collection.queries import withholding as queries
from jumin.collection.services import withholding as services
from jumin.core.access import user_county
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.core.uploads import read_upload

batches_router = Router(tags=["collection"])


def problems_error(error: ValidationError) -> ValidationError:
    """A refused file: one error per problem, ``field`` naming the line (第N行) or ``file``."""
    problems = getattr(error, "problems", None)
    if not problems:
        return error
    errors: dict[str, list[str]] = {"file": [error.messages[0]]}
    for problem in problems[: services.PROBLEMS_LISTED]:
        field = f"第{problem['row']}行" if problem["row"] else "file"
        errors.setdefault(field, []).append(problem["message"])
    return ValidationError(errors)


# --------------------------------------------------------------------------- batches


def batch_out(batch) -> dict:
    return {
        "id": batch.pk,
        "key": services.batch_key(batch),
        "region_code": batch.region_id,
        "bank": batch.bank,
        "year": batch.year,
        "round": batch.round,
        "status": batch.status,
        "line_count": batch.line_count,
        "amount_sum": batch.amount_sum,
        "paid_count": batch.paid_count,
        "paid_sum": batch.paid_sum,
        "failed_count": batch.failed_count,
        "created_at": batch.created_at,
        "confirmed_at": batch.confirmed_at,
    }


def result_out(result_file) -> dict:
    return {
        "id": result_file.pk,
        "batch_id": result_file.batch_id,
        "file_name": result_file.file_name,
        "sha256": result_file.sha256,
        "line_count": result_file.line_count,
        "amount_sum": result_file.amount_sum,
        "paid_count": result_file.paid_count,
        "failed_count": result_file.failed_count,
        "imported_at": result_file.imported_at,
    }


@batches_router.get(
    "", response={200: list[BatchOut], **error_responses(401, 403)}, summary="代扣批次"
)
def batches_endpoint(request):
    return [batch_out(batch) for batch in queries.batch_list(request.user)[:500]]


@batches_router.post(
    "", response={201: BatchOut, **error_responses(401, 403, 404, 422)}, summary="生成下一批代扣"
)
def batch_create_endpoint(request, payload: BatchIn):
    batch = services.batch_create(
        acting_user=request.user,
        region_code=payload.county or user_county(request.user),
        bank=payload.bank,
        year=payload.year,
    )
    return Status(201, batch_out(batch))


@batches_router.get(
    "/{batch_id}",
    response={200: BatchOut, **error_responses(401, 403, 404, 422)},
    summary="一个代扣批次",
)
def batch_endpoint(request, batch_id: int = Path(..., ge=1, le=MAX_ID)):
    return batch_out(queries.batch_get(request.user, batch_id))


@batches_router.get(
    "/{batch_id}/export",
    response={200: None, **error_responses(401, 403, 404, 422)},
    summary="下载代扣文件（按银行格式）",
)
def batch_export_endpoint(request, batch_id: int = Path(..., ge=1, le=MAX_ID)):
    batch = queries.batch_get(request.user, batch_id)
    data, file_name = services.batch_export(acting_user=request.user, batch=batch)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response


@batches_router.post(
    "/{batch_id}/results",
    response={200: ResultFileOut, 201: ResultFileOut, **error_responses(401, 403, 404, 422)},
    summary="导入银行回盘文件（同一文件重复导入返回 200，不重复入账）",
)
def batch_result_endpoint(
    request, file: File[UploadedFile], batch_id: int = Path(..., ge=1, le=MAX_ID)
):
    batch = queries.batch_get(request.user, batch_id)
    try:
        result_file, created = services.result_import(
            acting_user=request.user,
            batch=batch,
            file_name=file.name,
            data=read_upload(file, limit=settings.JUMIN_BANK_FILE_MAX_BYTES),
        )
    except ValidationError as error:
        raise problems_error(error) from None
    return Status(201 if created else 200, result_out(result_file))


@batches_router.post(
    "/{batch_id}/confirm",
    response={200: BatchOut, **error_responses(401, 403, 404, 422)},
    summary="财务核对代扣批次",
)
def batch_confirm_endpoint(request, batch_id: int = Path(..., ge=1, le=MAX_ID)):
    batch = queries.batch_get(request.user, batch_id)
    return batch_out(services.batch_confirm(acting_user=request.user, batch=batch))

"""``/api/bank-statements``: the agency income account's statement files (list, import, one
file with its lines). Reads go through the caller's scope (outside it: 404); the same file
imported again answers 200 and changes nothing (201 when new).
"""

from django.conf import settings
from ninja import File, Form, Path, Router, Status, UploadedFile

from jumin.collection.api.schemas import BankName, StatementDetail, StatementOut
from jumin.collection.queries import statements as queries
from jumin.collection.services import statements as services
from jumin.core.access import user_county
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.core.uploads import read_upload

router = Router(tags=["collection"])


def statement_out(statement) -> dict:
    return {
        "id": statement.pk,
        "region_code": statement.region_id,
        "bank": statement.bank,
        "file_name": statement.file_name,
        "sha256": statement.sha256,
        "line_count": statement.line_count,
        "amount_sum": statement.amount_sum,
        "imported_at": statement.imported_at,
    }


@router.get(
    "", response={200: list[StatementOut], **error_responses(401, 403)}, summary="银行对账单"
)
def statements_endpoint(request):
    files = queries.statement_files(request.user).order_by("-imported_at")[:500]
    return [statement_out(statement) for statement in files]


@router.post(
    "",
    response={200: StatementOut, 201: StatementOut, **error_responses(401, 403, 422)},
    summary="导入银行对账单（同一文件重复导入返回 200，不作改动）",
)
def statement_upload_endpoint(request, file: File[UploadedFile], bank: Form[BankName]):
    result = services.statement_import(
        acting_user=request.user,
        region_code=user_county(request.user),
        bank=bank,
        file_name=file.name,
        content=read_upload(file, limit=settings.JUMIN_BANK_FILE_MAX_BYTES),
    )
    return Status(201 if result.created else 200, statement_out(result.file))


@router.get(
    "/{statement_id}",
    response={200: StatementDetail, **error_responses(401, 403, 404, 422)},
    summary="一份银行对账单及其各笔",
)
def statement_endpoint(request, statement_id: int = Path(..., ge=1, le=MAX_ID)):
    statement = queries.statement_get(request.user, statement_id)
    lines = statement.lines.order_by("line_number")
    return {
        **statement_out(statement),
        "lines": [
            {
                "line_number": line.line_number,
                "booked_on": line.booked_on,
                "amount": line.amount,
                "reference": line.reference,
                "counterparty": line.counterparty,
                "deposit_id": line.deposit_id,
            }
            for line in lines
        ],
    }

"""``/api/tax-files``: the tax bureau's payment-detail files (upload, read, confirm). Thin;
scoping lives in the query and the service (outside the caller's region: 404). A refused file
answers 422 with every problem in ``errors``; a file already imported answers 200 with the
earlier import (201 when new).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from ninja import File, Path, Router, Status, UploadedFile

from jumin.collection.api.routers.withholding import problems_error
from jumin.collection.api.schemas import TaxFileDetail, TaxFileOut
from jumin.collection.queries import tax as queries
from jumin.collection.services import tax
from jumin.core.access import masked_for
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.core.uploads import read_upload

router = Router(tags=["collection"])


def tax_out(tax_file) -> dict:
    return {
        "id": tax_file.pk,
        "region_code": tax_file.region_id,
        "file_name": tax_file.file_name,
        "sha256": tax_file.sha256,
        "line_count": tax_file.line_count,
        "amount_sum": tax_file.amount_sum,
        "matched_count": tax_file.matched_count,
        "imported_at": tax_file.imported_at,
        "confirmed_at": tax_file.confirmed_at,
    }


@router.post(
    "",
    response={200: TaxFileOut, 201: TaxFileOut, **error_responses(401, 403, 404, 422)},
    summary="导入税务缴费明细（同一文件重复导入返回 200）",
)
def tax_upload_endpoint(request, file: File[UploadedFile]):
    try:
        tax_file, created = tax.tax_file_import(
            acting_user=request.user,
            region_code=(request.user.region_id or "")[:6],
            file_name=file.name,
            data=read_upload(file, limit=settings.JUMIN_BANK_FILE_MAX_BYTES),
        )
    except ValidationError as error:
        raise problems_error(error) from None
    return Status(201 if created else 200, tax_out(tax_file))


@router.get(
    "", response={200: list[TaxFileOut], **error_responses(401, 403)}, summary="税务缴费明细文件"
)
def tax_files_endpoint(request):
    return [tax_out(tax_file) for tax_file in queries.tax_file_list(request.user)[:500]]


@router.get(
    "/{file_id}",
    response={200: TaxFileDetail, **error_responses(401, 403, 404, 422)},
    summary="一个税务缴费明细文件",
)
def tax_file_endpoint(request, file_id: int = Path(..., ge=1, le=MAX_ID)):
    tax_file = queries.tax_file_get(request.user, file_id)
    lines = [
        {
            "line_number": line.line_number,
            "voucher_number": line.voucher_number,
            "id_number": masked_for(request.user, "id_number", line.id_number),
            "name": line.name,
            "year": line.year,
            "amount": line.amount,
            "paid_on": line.paid_on,
            "due_id": line.due_id,
        }
        for line in queries.tax_file_lines(tax_file)[:5000]
    ]
    return {**tax_out(tax_file), "lines": lines}


@router.post(
    "/{file_id}/confirm",
    response={200: TaxFileOut, **error_responses(401, 403, 404, 422)},
    summary="财务核对税务缴费明细",
)
def tax_confirm_endpoint(request, file_id: int = Path(..., ge=1, le=MAX_ID)):
    tax_file = queries.tax_file_get(request.user, file_id)
    return tax_out(tax.tax_file_confirm(acting_user=request.user, tax_file=tax_file))

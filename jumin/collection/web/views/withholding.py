"""Pages for bank withholding (银行代扣): batches, their export, the bank's result, the check.

Thin: forms parse, ``services/withholding.py`` writes, ``queries/withholding.py`` reads through
the user's scope (out of scope → 404).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.collection.models import LineResult
from jumin.collection.queries import withholding as queries
from jumin.collection.services import withholding as services
from jumin.collection.web.forms import BatchForm, UploadForm
from jumin.core.access import can, masked_for, scope, user_county
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.core.uploads import read_upload
from jumin.people.models import Person


def read_bank_file(upload) -> bytes:
    """The uploaded bank or tax file, refused before it is read when it is too big."""
    return read_upload(upload, limit=settings.JUMIN_BANK_FILE_MAX_BYTES)


# --------------------------------------------------------------------------- batches


@page
@require_GET
def batches(request):
    return render(
        request,
        "collection/batches.html",
        {
            "batches": queries.batch_list(request.user)[:200],
            "can_manage": can(request.user, "withholding.manage"),
            "form": BatchForm(initial={"year": timezone.localdate().year}),
        },
    )


@page
@require_http_methods(["GET", "POST"])
def batch_create(request):
    form = BatchForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                acting_user=request.user,
                region_code=user_county(request.user),
                bank=form.cleaned_data["bank"],
                year=form.cleaned_data["year"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"已生成{batch}：{batch.line_count}笔，{batch.amount_sum}元")
            return redirect("collection:batch_detail", batch.pk)
    # The passbook banks of the county's people, offered as the clerk types (exact names).
    banks = (
        scope(Person.objects.all(), request.user)
        .exclude(passbook_bank="")
        .values_list("passbook_bank", flat=True)
        .distinct()
        .order_by("passbook_bank")[:50]
    )
    form.fields["bank"].widget.attrs["list"] = "passbook-banks"
    return render(request, "collection/batch_form.html", {"form": form, "banks": banks})


@page
@require_GET
def batch_detail(request, pk):
    batch = queries.batch_get(request.user, pk)
    result = request.GET.get("result", "")
    if result not in LineResult.values:
        result = ""
    page = Paginator(queries.batch_lines(batch, result=result), 100).get_page(
        request.GET.get("page")
    )
    for line in page:
        line.id_number_shown = masked_for(request.user, "id_number", line.person.id_number)
        line.account_shown = masked_for(request.user, "passbook", line.account_number)
    return render(
        request,
        "collection/batch_detail.html",
        {
            "batch": batch,
            "key": services.batch_key(batch),
            "page": page,
            "result": result,
            "results": LineResult.choices,
            "files": queries.batch_results(batch),
            "can_manage": can(request.user, "withholding.manage"),
            "can_confirm": can(request.user, "withholding.confirm") and not batch.confirmed_at,
            "form": UploadForm(),
        },
    )


@page
@require_GET
def batch_export(request, pk):
    batch = queries.batch_get(request.user, pk)
    data, file_name = services.batch_export(acting_user=request.user, batch=batch)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = _attachment(file_name)
    return response


def _attachment(file_name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(file_name)}"


@page
@require_POST
def batch_result(request, pk):
    batch = queries.batch_get(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result_file, created = services.result_import(
                acting_user=request.user,
                batch=batch,
                file_name=upload.name,
                data=read_bank_file(upload),
            )
        except ValidationError as error:
            problems = error.messages
        else:
            if created:
                messages.success(
                    request,
                    f"回盘文件已导入：扣款成功{result_file.paid_count}笔，"
                    f"失败{result_file.failed_count}笔",
                )
            else:
                messages.info(request, "这个回盘文件已经导入过（内容相同），没有重复导入。")
            return redirect("collection:batch_detail", batch.pk)
    else:
        problems = [message for messages_ in form.errors.values() for message in messages_]
    return render(
        request,
        "collection/batch_problems.html",
        {"batch": batch, "problems": problems, "form": form},
        status=422,
    )


@page
@require_POST
def batch_confirm(request, pk):
    batch = queries.batch_get(request.user, pk)
    try:
        services.batch_confirm(acting_user=request.user, batch=batch)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已核对：本批次扣款成功的应缴记录已确认到账")
    return redirect("collection:batch_detail", batch.pk)

"""Tax-file pages (税务缴费): the county's imports of the tax bureau's payment details, one
file's lines, and finance's confirmation. Thin: forms parse, ``services/tax.py`` writes,
``queries/tax.py`` reads through the user's scope (out of scope → 404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.collection.queries import tax as queries
from jumin.collection.services import tax
from jumin.collection.web.forms import UploadForm
from jumin.collection.web.views.withholding import read_bank_file
from jumin.core.access import can, masked_for, require, user_county
from jumin.core.pages import page


@page
@require_http_methods(["GET", "POST"])
def tax_files(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST":
        require(request.user, "tax_file.import")  # before the file is read
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                tax_file, created = tax.tax_file_import(
                    acting_user=request.user,
                    region_code=user_county(request.user),
                    file_name=upload.name,
                    data=read_bank_file(upload),
                )
            except ValidationError as error:
                problems = error.messages
            else:
                if created:
                    messages.success(
                        request, f"已导入{tax_file.line_count}笔，{tax_file.amount_sum}元"
                    )
                else:
                    messages.info(request, "这个文件已经导入过（内容相同），没有重复导入。")
                return redirect("collection:tax_file_detail", tax_file.pk)
    return render(
        request,
        "collection/tax_files.html",
        {
            "files": queries.tax_file_list(request.user)[:200],
            "form": form,
            "problems": problems,
            "can_import": can(request.user, "tax_file.import"),
        },
        status=422 if problems else 200,
    )


@page
@require_GET
def tax_file_detail(request, pk):
    tax_file = queries.tax_file_get(request.user, pk)
    page = Paginator(queries.tax_file_lines(tax_file), 100).get_page(request.GET.get("page"))
    for line in page:
        line.id_number_shown = masked_for(request.user, "id_number", line.id_number)
    return render(
        request,
        "collection/tax_file_detail.html",
        {
            "tax_file": tax_file,
            "page": page,
            "can_confirm": can(request.user, "tax_file.confirm") and not tax_file.confirmed_at,
        },
    )


@page
@require_POST
def tax_file_confirm(request, pk):
    tax_file = queries.tax_file_get(request.user, pk)
    tax.tax_file_confirm(acting_user=request.user, tax_file=tax_file)
    messages.success(request, "已核对：本文件的缴费已确认到账")
    return redirect("collection:tax_file_detail", tax_file.pk)

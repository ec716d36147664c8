"""Pages of the agency income account's bank statement (银行对账单): the files imported and
county finance's import form, and one file's lines with the slips they were matched to.

Thin: forms parse, ``services/statements.py`` writes, ``queries/statements.py`` reads through
the user's scope (out of scope → 404).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jumin.collection.queries import statements as queries
from jumin.collection.services import statements as services
from jumin.collection.web.forms import StatementForm
from jumin.core.access import can, require, user_county
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.core.uploads import read_upload


@page
@require_http_methods(["GET", "POST"])
def statement_list(request):
    user = request.user
    files = queries.statement_files(user)
    may_import = can(user, "statement.import")
    form = StatementForm(request.POST or None, request.FILES or None) if may_import else None
    problems = []
    if request.method == "POST":
        require(user, "statement.import")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.statement_import(
                    acting_user=user,
                    region_code=user_county(user),
                    bank=form.cleaned_data["bank"],
                    file_name=upload.name,
                    content=read_upload(upload, limit=settings.JUMIN_BANK_FILE_MAX_BYTES),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "file" in error.error_dict:
                    problems = error.message_dict["file"]
                else:
                    add_errors(form, error)
            else:
                if result.created:
                    messages.success(
                        request,
                        f"已导入 {result.file.line_count} 笔，合计 {result.file.amount_sum} 元；"
                        f"新增 {result.new_lines} 笔，与缴款单对上 {result.matched} 笔。",
                    )
                else:
                    messages.info(request, "这个文件以前已经导入过，没有任何改动。")
                return redirect("collection:statement_detail", result.file.pk)
    return render(
        request,
        "collection/statements.html",
        {"files": files.order_by("-imported_at")[:200], "form": form, "problems": problems},
    )


@page
@require_GET
def statement_detail(request, pk):
    statement = queries.statement_get(request.user, pk)
    lines = queries.statement_lines(statement)
    return render(
        request, "collection/statement_detail.html", {"statement": statement, "lines": lines}
    )

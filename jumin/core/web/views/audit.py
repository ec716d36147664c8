"""The audit trail search page and its Excel export. Read-only: nothing here (or anywhere)
changes or deletes an entry; the model and a database trigger refuse it too."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from jumin.core import audit, registration
from jumin.core.exports import ExcelExport
from jumin.core.pages import page
from jumin.core.queries import audit as queries
from jumin.core.registry import CoreAction
from jumin.core.web.forms import AuditSearchForm

EXPORT_COLUMNS = (
    "时间",
    "操作人",
    "操作",
    "对象类型",
    "对象编号",
    "对象",
    "区划代码",
    "修改前",
    "修改后",
    "原因",
    "请求编号",
    "地址",
)


def _search(request):
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.filters() if form.is_bound else queries.AuditFilters()
    return form, queries.audit_search(request.user, filters)


@require_GET
@page
def search(request):
    form, found = _search(request)
    page = None
    if found is not None:
        page = Paginator(found.entries, queries.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        for entry in page.object_list:
            entry.action_label = registration.action_label(entry.action)
            entry.type_label = queries.object_type_label(entry.object_type)
            entry.change_rows = queries.audit_changes(entry, request.user)
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "not_found": found.not_found if found else [],
            "query": urlencode(query),
        },
    )


@require_GET
@page
def export(request):
    """The entries the search shows (at most ``AUDIT_EXPORT_LIMIT``) as an Excel file."""
    form, found = _search(request)
    if found is None:
        return search(request)
    workbook = ExcelExport()
    sheet = workbook.sheet("操作记录")
    sheet.append(EXPORT_COLUMNS)
    for entry in found.entries[: queries.AUDIT_EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(_export_row(entry, request.user))
    count = sheet.rows - 1
    filters = form.filters().as_dict() if form.is_bound else {}
    audit.record(
        actor=request.user,
        action=CoreAction.AUDIT_EXPORT,
        object_type="core.auditentry",
        object_label="操作记录导出",
        region_code=request.user.region_id or "",
        after={"rows": count, "filters": filters},
    )
    return workbook.response(f"audit-{timezone.localdate():%Y%m%d}.xlsx")


def _export_row(entry, user) -> list:
    changes = queries.audit_changes(entry, user)
    return [
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        registration.action_label(entry.action),
        queries.object_type_label(entry.object_type),
        entry.object_id,
        entry.object_label,
        entry.region_code,
        "；".join(f"{key}: {before}" for key, before, _after in changes if before),
        "；".join(f"{key}: {after}" for key, _before, after in changes if after),
        entry.reason,
        entry.request_id,
        entry.ip_address or "",
    ]

"""Region pages: the tree of the user's area (click down, breadcrumbs up to the user's own
region and never above) and the township/village import for county administrators."""

import os
import tempfile

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core import queries, regions
from jumin.core.access import can
from jumin.core.exports import ExcelExport
from jumin.core.forms import RegionImportForm
from jumin.core.models import RegionLevel
from jumin.core.pages import page

ERRORS_SHOWN = 200


@require_GET
@page
def tree(request, code: str = ""):
    """The user's region (or ``code`` inside it) and its children with their counts."""
    user = request.user
    if not code:
        if user.region_id is None:
            return render(request, "core/regions.html", {"region": None})
        code = user.region_id
    region = queries.region_get(user, code)
    context = {
        "region": region,
        "breadcrumbs": queries.region_breadcrumbs(user, region),
        "rows": queries.region_child_rows(user, region),
        "totals": queries.region_totals(user, region),
        "child_level": RegionLevel(region.level + 1).label if region.level < 5 else "",
        "shows_townships": region.level < RegionLevel.TOWNSHIP - 1,
        "shows_villages": region.level < RegionLevel.VILLAGE - 1,
        "can_import": can(user, "region.manage"),
    }
    return render(request, "core/regions.html", context)


@page
@require_http_methods(["GET", "POST"])
def region_import(request):
    """Upload a township/village list; every row is checked first; all or nothing."""
    form = RegionImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = _import_upload(request.user, upload)
    return render(
        request,
        "core/region_import.html",
        {
            "form": form,
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "errors_hidden": max(0, len(result.errors) - ERRORS_SHOWN) if result else 0,
        },
    )


def _import_upload(user, upload) -> regions.ImportResult:
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return regions.import_regions_file(path(), acting_user=user, file_name=upload.name)
    with tempfile.NamedTemporaryFile(suffix=os.path.splitext(upload.name)[1]) as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
        stored.flush()
        return regions.import_regions_file(stored.name, acting_user=user, file_name=upload.name)


@require_GET
@page
def region_import_template(request):
    """An empty list with the right headers and one example row for each level."""
    workbook = ExcelExport()
    sheet = workbook.sheet("区划")
    sheet.widths(22, 22, 22, 22)
    sheet.append(["区划代码", "名称", "生效日期", "失效日期"])
    county = (request.user.region_id or "341125000000")[:6]
    # codes are text cells: Excel keeps the twelve digits as typed
    sheet.append([f"{county}100000", "某某镇（示例，请删除）", "", ""])
    sheet.append([f"{county}100001", "某某村（示例，请删除）", "", ""])
    return workbook.response("regions-template.xlsx")

"""Region pages: the tree of the user's area (click down, breadcrumbs up to the user's own
region and never above) and the township/village import for county administrators."""

import os
import tempfile

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core.access import can
from jumin.core.formats import region_file
from jumin.core.models import RegionLevel
from jumin.core.pages import page
from jumin.core.queries.regions import (
    region_breadcrumbs,
    region_child_rows,
    region_get,
    region_totals,
)
from jumin.core.services import regions
from jumin.core.web.forms import RegionImportForm

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
    region = region_get(user, code)
    context = {
        "region": region,
        "breadcrumbs": region_breadcrumbs(user, region),
        "rows": region_child_rows(user, region),
        "totals": region_totals(user, region),
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


def _import_upload(user, upload) -> region_file.ImportResult:
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
    county = (request.user.region_id or "341125000000")[:6]
    return region_file.template_workbook(county).response("regions-template.xlsx")

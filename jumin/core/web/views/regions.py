"""Region pages: the tree of the user's area (click down, breadcrumbs up to the user's own
region and never above) and the township/village import for county administrators."""

import os
import tempfile

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core import parsing
from jumin.core.access import can
from jumin.core.formats import region_file
from jumin.core.models import RegionLevel
from jumin.core.pages import may_open, page
from jumin.core.queries.regions import (
    region_breadcrumbs,
    region_child_rows,
    region_get,
    region_totals,
    tree_counts,
)
from jumin.core.services import regions
from jumin.core.web.forms import RegionImportForm

ERRORS_SHOWN = 200
EXAMPLE_COUNTY = "341125"


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
    rows = region_child_rows(user, region)
    totals = region_totals(user, region)
    counts = tree_counts()
    lists = village_lists(user, region, counts)
    for row in rows:
        row.lists = [
            (f"{url}?{urlencode({'village': row.region.code})}", label)
            for index, url, label in lists
            if row.counts[index]
        ]
    context = {
        "region": region,
        "breadcrumbs": region_breadcrumbs(user, region),
        "rows": rows,
        "totals": totals,
        "counts": counts,
        "total_counts": [
            (count.label, number) for count, number in zip(counts, totals["counts"], strict=True)
        ],
        "has_lists": bool(lists),
        "child_level": RegionLevel(region.level + 1).label if region.level < 5 else "",
        "shows_townships": region.level < RegionLevel.TOWNSHIP - 1,
        "shows_villages": region.level < RegionLevel.VILLAGE - 1,
        "can_import": can(user, "region.manage"),
    }
    return render(request, "core/regions.html", context)


def village_lists(user, region, counts) -> list[tuple[int, str, str]]:
    """(index of the count, page URL, link text) of the pages listing one village's records,
    for a township's tree and only those the user may open."""
    if region.level != RegionLevel.TOWNSHIP:
        return []
    lists = []
    for index, count in enumerate(counts):
        if count.list_url_name and may_open(user, count.list_url_name):
            lists.append((index, reverse(count.list_url_name), str(count.list_label)))
    return lists


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
    try:
        county = parsing.county_code(request.user.region_id)
    except parsing.InputError:  # no region (yet): the example county
        county = EXAMPLE_COUNTY
    return region_file.template_workbook(county).response("regions-template.xlsx")

"""参保率 page and its Excel export (H4): per township (a county user) or village."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jumin.core.exports import ExcelExport
from jumin.core.models import Region
from jumin.core.pages import page
from jumin.medical.queries import participation as queries


def _arguments(request) -> tuple[Region, int]:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    region = request.user.region
    code = request.GET.get("region")
    if code:
        region = Region.objects.filter(code=code).first() or region
    return region, year


@require_GET
@page
def participation(request):
    region, year = _arguments(request)
    rows = queries.participation(request.user, region=region, coverage_year=year)
    return render(
        request,
        "medical/participation.html",
        {"rows": rows, "region": region, "year": year, "columns": queries.COLUMNS},
    )


@require_GET
@page
def participation_export(request):
    region, year = _arguments(request)
    rows = queries.participation(request.user, region=region, coverage_year=year)
    workbook = ExcelExport()
    sheet = workbook.sheet(f"{year}年度参保率")
    sheet.append([title for _key, title in queries.COLUMNS])
    for row in rows:
        sheet.append([row.cell(key) for key, _title in queries.COLUMNS])
    return workbook.response(f"居民医保参保率-{region.name}-{year}.xlsx")

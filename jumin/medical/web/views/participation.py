"""参保率 page and its Excel export (H4): per township (a county user) or village; the county
admin's page of the targets (目标参保率) of the county, its townships and villages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jumin.collection.counties import county_of
from jumin.core.access import can, user_county
from jumin.core.exports import ExcelExport
from jumin.core.forms import Form, add_errors
from jumin.core.models import Region, RegionLevel
from jumin.core.pages import page
from jumin.core.parsing import year_or_default
from jumin.medical.models import ParticipationTarget
from jumin.medical.queries import participation as queries
from jumin.medical.services import participation as services


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
        {
            "rows": rows,
            "region": region,
            "year": year,
            "columns": queries.COLUMNS,
            "can_edit_targets": can(request.user, "medical_participation.manage"),
        },
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


def _targets_form(regions, data=None, initial=None):
    """One text field per region, ``rate_<code>``, a percentage or blank."""
    fields = {
        f"rate_{region.code}": forms.CharField(
            label=region.name,
            required=False,
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
        )
        for region in regions
    }
    return type("TargetsForm", (Form,), fields)(data, initial=initial)


@require_http_methods(["GET", "POST"])
@page
def participation_targets(request):
    county = county_of(user_county(request.user))
    year = year_or_default(
        request.GET.get("year"), default=timezone.localdate().year + 1, label="参保年度"
    )
    regions = list(services.target_regions(county).filter(level__gte=RegionLevel.COUNTY))
    current = dict(
        ParticipationTarget.objects.filter(
            coverage_year=year, region_id__in=[region.code for region in regions]
        ).values_list("region_id", "rate")
    )
    initial = {f"rate_{code}": f"{(rate * 100).normalize():f}" for code, rate in current.items()}
    form = _targets_form(regions, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.targets_update(
                acting_user=request.user,
                region_code=county.code,
                coverage_year=year,
                rates={region.code: form.cleaned_data[f"rate_{region.code}"] for region in regions},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("已保存%(year)s年度参保率目标（%(n)s处修改）。") % {"year": year, "n": changed},
            )
            return redirect(f"{request.path}?year={year}")
    rows = [(region, form[f"rate_{region.code}"]) for region in regions]
    return render(
        request,
        "medical/participation_targets.html",
        {"form": form, "rows": rows, "county": county, "year": year},
    )

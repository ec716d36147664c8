"""Pages of the monthly reconciliation and the government funds.

Thin: forms parse, ``services/reconciliation.py`` writes and ``queries/reconciliation.py``
reads (through the user's scope: out of scope → 404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.collection import schemes
from jumin.collection.models import DueStatus, ReconciliationStatus
from jumin.collection.queries import reconciliation as queries
from jumin.collection.queries.receipts import townships_and_villages
from jumin.collection.rules import next_month
from jumin.collection.services import reconciliation as services
from jumin.collection.web.forms import ComputeForm, DayForm, GovernmentPaidForm
from jumin.core.access import can, in_scope, require, user_county
from jumin.core.forms import add_errors
from jumin.core.models import Region, RegionLevel
from jumin.core.pages import page
from jumin.core.parsing import year_or_default


def _regions(user) -> list[Region]:
    """The regions whose month the user may look at: own county/township, and below."""
    townships, villages = townships_and_villages(user)
    regions = []
    if user.region is not None and user.region.level == RegionLevel.COUNTY:
        regions.append(user.region)
    return regions + townships + villages


# --------------------------------------------------------------------------- reconciliation


@page
@require_GET
def reconciliations(request):
    """Receipts issued on a day (today by default) with their money's state, and the months."""
    user = request.user
    form = DayForm(request.GET or None)
    day = timezone.localdate()
    region = ""
    if form.is_valid():
        day = form.cleaned_data["on"] or day
        region = form.cleaned_data["region"] or ""
    regions = _regions(user)
    if region and region not in {r.code for r in regions}:
        region = ""
    rows = queries.receipts_of_day(user, day, region=region)
    month_rows = queries.reconciliation_list(user, region=region)[:200]
    return render(
        request,
        "collection/reconciliations.html",
        {
            "day": day,
            "is_today": day == timezone.localdate(),
            "region": region,
            "regions": regions,
            "receipts": rows,
            "receipt_sum": sum((row["receipt"].amount or 0 for row in rows), 0),
            "months": month_rows,
            "compute_form": ComputeForm(
                initial={"month": day.strftime("%Y-%m"), "region": region or user.region_id}
            ),
            "can_confirm": can(user, "reconciliation.confirm"),
            # where each scheme credits the money confirmed here (the pension: 记账)
            "after_confirm": [
                (scheme.posting_label, scheme.posting_page)
                for scheme in schemes.schemes().values()
                if scheme.posting_page
            ],
            "can_compute": can(user, "reconciliation.compute"),
        },
    )


@page
@require_POST
def reconciliation_compute(request):
    user = request.user
    form = ComputeForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["region"]
        if code not in {r.code for r in _regions(user)}:
            messages.error(request, "请选择您辖区内的村、乡镇或县")
            return redirect("collection:reconciliations")
        try:
            row = services.reconciliation_compute(user, code, form.cleaned_data["month"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            return redirect("collection:reconciliation_detail", row.pk)
    else:
        messages.error(request, "请选择区域并填写月份（如 2026-03）")
    return redirect("collection:reconciliations")


@page
@require_GET
def reconciliation_detail(request, pk):
    user = request.user
    row = queries.reconciliation_get(user, pk)
    differences = row.differences or []
    children = []
    if row.region.level != RegionLevel.VILLAGE:
        children = queries.reconciliation_list(user, month=row.month).filter(
            region__parent=row.region
        )
    return render(
        request,
        "collection/reconciliation_detail.html",
        {
            "row": row,
            "blocking": [item for item in differences if item.get("blocking")],
            "informing": [item for item in differences if not item.get("blocking")],
            "children": children,
            "can_confirm": can(user, "reconciliation.confirm")
            and row.status == ReconciliationStatus.DRAFT,
            "can_compute": can(user, "reconciliation.compute"),
            "next_month": next_month(row.month),
        },
    )


@page
@require_POST
def reconciliation_confirm(request, pk):
    user = request.user
    row = queries.reconciliation_get(user, pk)
    try:
        row = services.reconciliation_confirm(acting_user=user, reconciliation=row)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "对账已确认，所含票据对应的应缴已核对，可以记账。")
    return redirect("collection:reconciliation_detail", row.pk)


# --------------------------------------------------------------------------- government funds


@page
@require_http_methods(["GET", "POST"])
def government_paid(request):
    user = request.user
    county = user_county(user)
    # a wrong ?year= is the 400 page with its message (core.parsing, InputSafetyMiddleware)
    year = year_or_default(request.GET.get("year"), default=timezone.localdate().year)
    scheme = request.GET.get("scheme", "")
    form = GovernmentPaidForm(request.POST or None, initial={"year": year, "scheme": scheme})
    if request.method == "POST":
        require(user, "government_paid.confirm")
        if form.is_valid():
            try:
                count = services.government_paid_confirm(
                    acting_user=user,
                    region_code=county,
                    year=form.cleaned_data["year"],
                    amount=form.cleaned_data["amount"],
                    reference=form.cleaned_data["reference"],
                    scheme=form.cleaned_data["scheme"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"已确认 {count} 人的{schemes.label_of(form.cleaned_data['scheme'])}政府代缴，可以记账。",
                )
                return redirect(
                    f"{request.path}?year={form.cleaned_data['year']}"
                    f"&scheme={form.cleaned_data['scheme']}"
                )
    totals = {}
    if county and in_scope(user, county + "000000"):  # county staff: below, nothing to total
        totals = queries.government_paid_totals(user, region_code=county, year=year)
    return render(
        request,
        "collection/reconciliation_government.html",
        {
            "form": form,
            "year": year,
            "totals": [
                (schemes.label_of(code), label, totals[code, value])
                for code in schemes.schemes()
                for value, label in DueStatus.choices
                if (code, value) in totals
            ],
            "can_confirm": can(user, "government_paid.confirm"),
        },
    )

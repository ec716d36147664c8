"""Designated hospitals: the list, registering one, a hospital's month of claims."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core.access import can
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.medical.queries import claims as queries
from jumin.medical.services import hospitals as services
from jumin.medical.web.forms import HospitalForm


@page
@require_GET
def hospitals(request):
    return render(
        request,
        "medical/hospitals.html",
        {
            "hospitals": queries.hospitals(request.user),
            "can_manage": can(request.user, "hospital.manage"),
        },
    )


@page
@require_http_methods(["GET", "POST"])
def hospital_create(request):
    form = HospitalForm(request.POST or None, initial={"region": request.user.region_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hospital_create(
                acting_user=request.user,
                code=data["code"],
                name=data["name"],
                level=data["level"],
                region_code=data["region"],
                in_county=data["in_county"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("medical:hospitals")
    return render(request, "medical/hospital_form.html", {"form": form})


def parse_month(value: str, default: datetime.date) -> datetime.date:
    try:
        month = datetime.date.fromisoformat(f"{value}-01") if value else default
    except ValueError:
        return default
    return month if 2000 <= month.year <= 2100 else default


@page
@require_GET
def hospital_month(request, pk):
    hospital = queries.hospital_get(request.user, pk)
    today = datetime.date.today()
    month = parse_month(request.GET.get("month", ""), today.replace(day=1))
    data = queries.hospital_month(request.user, hospital, month)
    return render(
        request,
        "medical/hospital_month.html",
        {"hospital": hospital, "month": month, **data},
    )

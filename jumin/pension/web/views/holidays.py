"""The holidays page (节假日): the year's calendar as the county sees it (the country's days,
seeded, and the county's own) and, for the county administrator, entering a local holiday
or a make-up working day. Transfer deadlines count working days with it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jumin.core.access import require, user_county
from jumin.core.forms import Form, YearField, add_errors
from jumin.core.pages import page
from jumin.pension.services import calendar as services


class HolidayForm(Form):
    day = forms.DateField(label="日期", error_messages={"invalid": "日期应写成 2027-01-01"})
    name = forms.CharField(label="名称", max_length=services.MAX_NAME)
    workday = forms.BooleanField(label="调休上班（周末上班）", required=False)


class YearChoice(Form):
    year = YearField(label="年度", required=False)


def _year(request) -> int:
    form = YearChoice(request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return year or timezone.localdate().year


@require_http_methods(["GET", "POST"])
@page
def holidays(request):
    user = request.user
    require(user, "holiday.manage")
    year = _year(request)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row, created = services.holiday_save(
                acting_user=user, day=data["day"], name=data["name"], workday=data["workday"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"{'已录入' if created else '已修改'} {row.day:%Y-%m-%d} {row.name}"
            )
            return redirect(f"{request.path}?year={row.day.year}")
    county = user_county(user) + "000000"
    return render(
        request,
        "pension/holidays.html",
        {
            "year": year,
            "rows": services.holidays_of_year(user, year),
            "county_code": county,
            "form": form,
        },
    )


@require_POST
@page
def holiday_delete(request, pk):
    try:
        services.holiday_delete(acting_user=request.user, pk=pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已删除。")
    return redirect("pension:holidays")

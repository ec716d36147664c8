"""The monthly cash calendar page: the days the user's county runs on in a year, and the
county administrator's form to set them (``services.calendar``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jumin.collection.queries.calendar import calendar_in_force, calendar_list
from jumin.collection.services.calendar import calendar_set
from jumin.collection.web.forms import CalendarForm
from jumin.core.access import can, require
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.core.parsing import year_or_default


@require_http_methods(["GET", "POST"])
@page
def cash_calendar(request):
    user = request.user
    year = year_or_default(
        request.POST.get("year") or request.GET.get("year"), default=timezone.localdate().year
    )
    in_force = calendar_in_force(user, year)
    if request.method == "POST":
        require(user, "cash_calendar.set")  # before the form is read
    may_set = can(user, "cash_calendar.set")
    initial = {
        "year": year,
        "deposit_day": in_force.deposit_day,
        "township_check_day": in_force.township_check_day,
        "county_check_day": in_force.county_check_day,
    }
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _row, changed = calendar_set(
                acting_user=user,
                county_code=(user.region_id or "")[:6] + "000000",
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(request, f"{form.cleaned_data['year']}年缴存与核对日历已保存。")
            else:
                messages.info(request, "日历没有变化。")
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    return render(
        request,
        "collection/cash_calendar.html",
        {
            "year": year,
            "in_force": in_force,
            "own": in_force.pk is not None and in_force.year == year,
            "form": form if may_set else None,
            "calendars": calendar_list(user)[:20],
        },
    )

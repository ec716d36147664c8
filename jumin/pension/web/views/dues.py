"""Pages of the dues (应缴核定): the list, starting the dues job, the job's progress.

Thin: the form parses, ``jumin.pension.jobs`` queues the job, ``jumin.pension.queries.dues``
reads through the user's scope (out of scope → 404). Under ``/collection/dues/``, the paths
they always had.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jumin.collection.models import Channel, DueKind, DueStatus
from jumin.core.access import can, masked_for, user_county
from jumin.core.forms import Form
from jumin.core.models import Region, RegionLevel
from jumin.core.pages import page
from jumin.core.parsing import InputError, parse_year
from jumin.core.text import is_ascii_digits
from jumin.pension import jobs
from jumin.pension.queries import dues as queries


class YearForm(Form):
    year = forms.IntegerField(label="缴费年度", min_value=2000, max_value=2100)


def _year_filter(text: str) -> int | None:
    """The year filter of the dues list: a year 1900–2100, or no filter when junk is typed."""
    try:
        return parse_year(text) if text else None
    except InputError:
        return None


@require_GET
@page
def dues(request):
    params = {key: request.GET.get(key, "").strip() for key in queries.DUE_FILTERS}
    year = _year_filter(params["year"])
    params["year"] = str(year) if year else ""
    if params["village"] and not is_ascii_digits(params["village"]):
        params["village"] = ""
    rows = queries.due_list(request.user, **{**params, "year": year})
    shown = Paginator(rows, 50).get_page(request.GET.get("page"))
    for due in shown:
        due.id_number_shown = masked_for(request.user, "id_number", due.person.id_number)
    villages = Region.objects.filter(
        level=RegionLevel.VILLAGE, code__startswith=request.user.scope_prefix or "-"
    ).order_by("code")
    query = "&".join(f"{key}={value}" for key, value in params.items() if value)
    return render(
        request,
        "pension/dues.html",
        {
            "page": shown,
            "params": params,
            "query": query,
            "villages": villages,
            "statuses": DueStatus.choices,
            "kinds": DueKind.choices,
            "channels": Channel.choices,
            "can_generate": can(request.user, "due.generate"),
            "form": YearForm(initial={"year": timezone.localdate().year}),
            "generations": queries.generation_list(request.user),
        },
    )


@require_POST
@page
def dues_generate(request):
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            run, started = jobs.dues_generate_submit(
                acting_user=request.user,
                region_code=user_county(request.user),
                year=form.cleaned_data["year"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if not started:
                messages.info(request, "这个县这一年的应缴核定已经在进行中，下面是它的进度。")
            return redirect("contributions:dues_job", run.pk)
    else:
        messages.error(request, "请填写正确的缴费年度")
    return redirect("contributions:dues")


@require_GET
@page
def dues_job(request, pk):
    run = queries.dues_job_get(request.user, pk)
    template = "pension/dues_job_status.html" if request.htmx else "pension/dues_job.html"
    return render(
        request,
        template,
        {
            "job": run,
            "finished": run.is_finished,
            "result": run.result,
            "can_restart": can(request.user, "due.generate"),
            "restart_url": "contributions:dues_generate",
        },
    )

"""Pages of interest (结息): the crediting rates (entered by the county administrator), the
year-end runs and starting one, a correction after a rate changed, the ledger check, and
printing a village's statements of rights."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jumin.core.access import can, require, scope, user_county
from jumin.core.forms import Form, add_errors
from jumin.core.models import Region, RegionLevel
from jumin.core.pages import page
from jumin.pension import jobs
from jumin.pension.models import CreditingMode
from jumin.pension.queries import interest as queries
from jumin.pension.services import rates as rate_services


class RateForm(Form):
    region = forms.ChoiceField(label="适用区划")
    year = forms.IntegerField(label="年度", min_value=1990, max_value=2100)
    rate = forms.CharField(label="记账利率（%）", max_length=20)
    mode = forms.ChoiceField(label="计息方式", choices=CreditingMode.choices)
    document_number = forms.CharField(label="文号", max_length=100, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            (region.code, region.name) for region in rate_services.rate_regions(user)
        ]


class YearForm(Form):
    year = forms.IntegerField(label="计息年度", min_value=1990, max_value=2100)


class VillageYearForm(Form):
    village = forms.ChoiceField(label="村（社区）")
    year = forms.IntegerField(label="年度", min_value=1990, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        villages = scope(Region.objects.filter(level=RegionLevel.VILLAGE), user).order_by("code")
        self.fields["village"].choices = [
            (v.code, f"{v.name}（{v.code}）") for v in villages[:2000]
        ]


def _page(request, *, rate_form=None, year_form=None):
    user = request.user
    last_year = timezone.localdate().year - 1
    return render(
        request,
        "pension/interest.html",
        {
            "rates": queries.rate_list(user)[:200],
            "runs": queries.run_list(user).order_by("-year", "-round", "-pk")[:100],
            "rate_form": rate_form
            or RateForm(user=user, initial={"year": last_year + 1, "mode": "A"}),
            "year_form": year_form or YearForm(initial={"year": last_year}),
            "print_form": VillageYearForm(user=user, initial={"year": last_year}),
            "can_rate": can(user, "interest_rate.manage"),
            "can_run": can(user, "interest.run"),
            "can_check": can(user, "ledger.check"),
        },
    )


@require_GET
@page
def interest(request):
    return _page(request)


@require_POST
@page
def interest_rate_save(request):
    user = request.user
    require(user, "interest_rate.manage")
    form = RateForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rate, created = rate_services.interest_rate_save(
                acting_user=user,
                region_code=data["region"],
                year=data["year"],
                rate_percent=data["rate"],
                mode=data["mode"],
                document_number=data["document_number"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"{'已录入' if created else '已修改'} {rate.year} 年记账利率 {rate.rate * 100:.4f}%（{rate.mode}）",
            )
            return redirect("pension:interest")
    return _page(request, rate_form=form)


@require_POST
@page
def interest_run(request):
    user = request.user
    require(user, "interest.run")
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            run, started = jobs.interest_submit(
                acting_user=user, region_code=user_county(user), year=form.cleaned_data["year"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if not started:
                messages.info(request, "这个县这一年的结息已经在进行中，下面是它的进度。")
            return redirect("pension:interest_job", run.pk)
    return _page(request, year_form=form)


@require_GET
@page
def interest_job(request, pk):
    run = queries.job_get(request.user, pk, [jobs.INTEREST_JOB, jobs.LEDGER_CHECK_JOB])
    template = (
        "pension/interest_job_status.html"
        if getattr(request, "htmx", False)
        else "pension/interest_job.html"
    )
    return render(
        request,
        template,
        {
            "job": run,
            "finished": run.is_finished,
            "result": run.result or {},
            "is_check": run.kind == jobs.LEDGER_CHECK_JOB,
            "can_restart": can(request.user, "interest.run"),
            "restart_url": "pension:interest",
        },
    )


@require_POST
@page
def ledger_check_start(request):
    user = request.user
    try:
        run, _started = jobs.ledger_check_submit(acting_user=user, region_code=user_county(user))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("pension:interest")
    return redirect("pension:interest_job", run.pk)


@require_GET
@page
def village_statements_choose(request):
    """The form on the interest page sends the village and year here: to the print page."""
    form = VillageYearForm(request.GET, user=request.user)
    if not form.is_valid():
        messages.error(request, "请选择村（社区）和年度")
        return redirect("pension:interest")
    return redirect(
        "pension:village_statements", form.cleaned_data["village"], form.cleaned_data["year"]
    )

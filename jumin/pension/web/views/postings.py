"""Pages of the posting runs (记账): the list, starting a run, a run's progress.

Thin: ``jumin.pension.jobs`` queues the run, ``jumin.pension.queries.postings`` reads through
the user's scope. Under ``/collection/postings/``, the paths they always had.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core.access import can, require, user_county
from jumin.core.forms import Form, add_errors
from jumin.core.pages import page
from jumin.pension import jobs
from jumin.pension.models import EntrySource
from jumin.pension.queries import postings as queries


class YearForm(Form):
    year = forms.IntegerField(label="缴费年度", min_value=2000, max_value=2100)


@require_http_methods(["GET", "POST"])
@page
def postings(request):
    user = request.user
    form = YearForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        require(user, "posting.run")
        if form.is_valid():
            try:
                run, started = jobs.posting_submit(
                    acting_user=user,
                    region_code=user_county(user),
                    year=form.cleaned_data["year"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if not started:
                    messages.info(request, "这个县这一年的记账已经在进行中，下面是它的进度。")
                return redirect("contributions:posting_job", run.pk)
    return render(
        request,
        "pension/postings.html",
        {
            "form": form,
            "runs": queries.posting_list(user).order_by("-created_at")[:100],
            "can_run": can(user, "posting.run"),
        },
    )


@require_GET
@page
def posting_job(request, pk):
    run = queries.posting_job_get(request.user, pk)
    template = (
        "pension/posting_job_status.html"
        if getattr(request, "htmx", False)
        else "pension/posting_job.html"
    )
    by_source = (run.result or {}).get("by_source", {})
    sources = [
        (label, by_source[value]) for value, label in EntrySource.choices if value in by_source
    ]
    return render(
        request,
        template,
        {
            "job": run,
            "finished": run.is_finished,
            "result": run.result,
            "sources": sources,
            "can_restart": can(request.user, "posting.run"),
            "restart_url": "contributions:postings",
        },
    )

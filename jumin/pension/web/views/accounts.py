"""The personal-account page (个人账户): entries by year and source, totals, reversal."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jumin.core import audit
from jumin.core.access import can, masked_for
from jumin.core.forms import Form
from jumin.core.pages import page
from jumin.pension.models import EntrySource
from jumin.pension.queries import accounts as queries
from jumin.pension.registry import PensionAction
from jumin.pension.services import accounts as services

SOURCE_LABELS = dict(EntrySource.choices)


class ReverseForm(Form):
    reason = forms.CharField(label="冲正原因", max_length=200)


@page
@require_GET
def account(request, person_pk):
    user = request.user
    person = queries.account_person(user, person_pk)
    summary = queries.account_summary(user, person)
    audit.record(actor=user, action=PensionAction.ACCOUNT_VIEW, obj=person)
    reversed_ids = {entry.reverses_id for entry in summary["entries"] if entry.reverses_id}
    years = []
    for year, totals in summary["by_year"].items():
        years.append(
            {
                "year": year,
                "total": totals["total"],
                "sources": [
                    (SOURCE_LABELS[value], totals[value])
                    for value in queries.SOURCE_ORDER
                    if value in totals
                ],
                "entries": [entry for entry in summary["entries"] if entry.year == year],
                "posted_dues": list(
                    {
                        entry.due_id: entry.due
                        for entry in summary["entries"]
                        if entry.year == year and entry.due_id and entry.due.status == "posted"
                    }.values()
                ),
            }
        )
    return render(
        request,
        "pension/account.html",
        {
            "person": person,
            "id_number": masked_for(user, "id_number", person.id_number),
            "years": years,
            "by_source": [
                (SOURCE_LABELS[value], amount) for value, amount in summary["by_source"].items()
            ],
            "balance": summary["balance"],
            "statement_years": sorted(
                {entry.booked_on.year for entry in summary["entries"]}, reverse=True
            ),
            "reversed_ids": reversed_ids,
            "can_reverse": can(user, "account.reverse"),
            "form": ReverseForm(),
        },
    )


@page
@require_POST
def entry_reverse(request, pk):
    user = request.user
    entry = queries.entry_get(user, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲正原因（最多200个字）")
    else:
        try:
            services.entry_reverse(
                acting_user=user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "已冲正：新增一条金额相反的记录。")
    return redirect("pension:account", entry.person_id)


@page
@require_POST
def due_reverse(request, person_pk, due_pk):
    """Reverse every entry of one posted due and cancel the due (finance)."""
    user = request.user
    person = queries.account_person(user, person_pk)
    due = queries.posted_due_get(user, person, due_pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲正原因（最多200个字）")
    else:
        try:
            services.due_reverse(acting_user=user, due=due, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "这笔应缴的各项记录已全部冲正，应缴已取消，可以重新收缴。")
    return redirect("pension:account", person.pk)

"""Claims at the counter: entry with the settlement shown before saving (htmx trial), search,
the claim with its explanation, the accident investigation, the person's year at a glance."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import can, masked_for
from jumin.core.forms import Form, add_errors
from jumin.core.pages import page
from jumin.medical.data.icd10 import diagnosis_name
from jumin.medical.models import ClaimKind
from jumin.medical.queries import claims as queries
from jumin.medical.services import claims as services
from jumin.medical.web.forms import ClaimForm, ClaimSearchForm
from jumin.medical.web.views.hospitals import parse_month

LINE_NAMES = {"a": "甲类费用合计", "b": "乙类费用合计", "self": "自费费用合计"}


def claim_data(form: ClaimForm) -> services.ClaimData:
    data = form.cleaned_data
    lines = [
        services.LineIn(name=LINE_NAMES[key], line_class=key, amount=data[field] or Decimal("0.00"))
        for key, field in (("a", "class_a"), ("b", "class_b"), ("self", "self_paid"))
        if data[field]
    ]
    return services.ClaimData(
        id_number=data["id_number"],
        hospital_code=data["hospital_code"],
        kind=data["kind"],
        invoice_number=data["invoice_number"],
        admission_date=data["admission_date"],
        discharge_date=data["discharge_date"],
        diagnosis=data["diagnosis"],
        total=data["total"],
        lines=lines,
        special_item=data["special_item"],
        out_of_area_filed=data["out_of_area_filed"],
    )


@page
@require_http_methods(["GET", "POST"])
def claim_new(request):
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim, created = services.claim_submit(acting_user=request.user, data=claim_data(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            if not created:
                messages.info(request, "这张发票已经登记过，下面是原来的结算结果。")
            return redirect("medical:claim_detail", pk=claim.pk)
    return render(request, "medical/claim_form.html", {"form": form})


@page
@require_POST
def claim_trial(request):
    """The htmx preview: the settlement the claim would get, nothing stored."""
    form = ClaimForm(request.POST)
    result = problems = None
    if form.is_valid():
        try:
            _checked, result = services.trial(acting_user=request.user, data=claim_data(form))
        except ValidationError as error:
            problems = error.messages
    else:
        problems = [
            f"{form.fields[name].label if name in form.fields else ''}：{'；'.join(errors)}"
            for name, errors in form.errors.items()
        ]
    return render(request, "medical/_trial.html", {"result": result, "problems": problems})


@page
@require_GET
def claims(request):
    form = ClaimSearchForm(request.GET or None)
    rows = []
    if form.is_valid():
        data = form.cleaned_data
        month = parse_month(data["month"], None) if data["month"] else None
        found = queries.claim_list(
            request.user,
            id_number=data["id_number"],
            invoice_number=data["invoice_number"],
            kind=data["kind"],
            month=month,
        )[:200]
        rows = list(found)
    elif not request.GET:
        rows = list(queries.claim_list(request.user)[:50])
    current = queries.current_of(claim.pk for claim in rows)
    for claim in rows:
        claim.current = current.get(claim.pk)
        claim.masked_id = masked_for(request.user, "id_number", claim.person.id_number)
    return render(
        request,
        "medical/claims.html",
        {"form": form, "claims": rows, "can_submit": can(request.user, "claim.submit")},
    )


class InvestigateForm(Form):
    approved = forms.TypedChoiceField(
        label="调查结论",
        choices=[("1", "调查通过，予以支付"), ("0", "调查未通过，不予支付")],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label="说明", max_length=200, required=False)


@page
@require_GET
def claim_detail(request, pk):
    claim = queries.claim_get(request.user, pk)
    return render(
        request,
        "medical/claim_detail.html",
        {
            "claim": claim,
            "id_number": masked_for(request.user, "id_number", claim.person.id_number),
            "diagnosis_name": diagnosis_name(claim.diagnosis) or "",
            "current": queries.current_settlement(claim),
            "history": queries.settlement_history(claim),
            "lines": list(claim.lines.all()),
            "can_investigate": claim.kind == ClaimKind.ACCIDENT
            and can(request.user, "claim.investigate"),
            "investigate_form": InvestigateForm(),
        },
    )


@page
@require_POST
def claim_investigate(request, pk):
    claim = queries.claim_get(request.user, pk)
    form = InvestigateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择调查结论")
    else:
        try:
            services.claim_investigate(
                acting_user=request.user,
                claim=claim,
                approved=form.cleaned_data["approved"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, "已记录调查结论并重新结算。")
    return redirect("medical:claim_detail", pk=claim.pk)


@page
@require_GET
def person_year(request, person_pk, year):
    person = queries.person_get(request.user, person_pk)
    if not 2000 <= year <= 2100:
        year = datetime.date.today().year
    data = queries.person_year(request.user, person, year)
    return render(
        request,
        "medical/person_year.html",
        {
            "person": person,
            "year": year,
            "id_number": masked_for(request.user, "id_number", person.id_number),
            **data,
        },
    )

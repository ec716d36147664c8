"""The medical benefit policy: list, look, edit (one JSON document), export."""

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core import audit
from jumin.core.access import can, user_county
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.medical.models import MedicalPolicy
from jumin.medical.queries import claims as queries
from jumin.medical.registry import MedicalAction
from jumin.medical.services import policy as services
from jumin.medical.web.forms import PolicyForm


@page
@require_GET
def policies(request):
    return render(
        request,
        "medical/policies.html",
        {
            "policies": queries.policies(request.user),
            "can_manage": can(request.user, "medical_policy.manage"),
        },
    )


@page
@require_GET
def policy_detail(request, pk):
    policy = queries.policy_get(request.user, pk)
    return render(
        request,
        "medical/policy_detail.html",
        {
            "policy": policy,
            "text": json.dumps(policy.document, ensure_ascii=False, indent=2),
            "can_manage": can(request.user, "medical_policy.manage"),
        },
    )


@page
@require_GET
def policy_export(request, pk):
    policy = queries.policy_get(request.user, pk)
    audit.record(actor=request.user, action=MedicalAction.POLICY_EXPORT, obj=policy)
    body = json.dumps(services.export_document(policy), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="medical-policy-{policy.coverage_year}-{policy.region_id}.json"'
    )
    return response


@page
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    """Create or change the county's policy of a year (the text box takes an exported file too)."""
    region_code = user_county(request.user).ljust(12, "0")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    existing = (
        MedicalPolicy.objects.filter(coverage_year=year, region_id=region_code).first()
        if year and 2000 <= year <= 2100
        else None
    )
    initial = {
        "coverage_year": year,
        "document": json.dumps(
            existing.document if existing else services.default_document(),
            ensure_ascii=False,
            indent=2,
        ),
        "document_number": existing.document_number if existing else "",
    }
    form = PolicyForm(request.POST or None, initial=initial)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.read_document(data["document"])
            policy, _changed = services.policy_save(
                acting_user=request.user,
                coverage_year=data["coverage_year"],
                region_code=region_code,
                document=document,
                document_number=data["document_number"],
            )
        except ValidationError as error:
            problems = error.messages
            add_errors(form, ValidationError("政策未保存，请修改下列问题"))
        else:
            return redirect("medical:policy_detail", pk=policy.pk)
    return render(
        request,
        "medical/policy_form.html",
        {"form": form, "problems": problems, "existing": existing},
    )

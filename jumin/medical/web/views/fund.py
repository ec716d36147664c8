"""The fund page (H4): the pooled fund's balance by coverage year and source, the posting
runs, and (finance, county admin) posting a coverage year's confirmed premiums."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jumin.core.access import can, user_county
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.medical.queries import fund as queries
from jumin.medical.services import fund as services
from jumin.medical.services import fund_claims
from jumin.medical.web.enrolment_forms import CountyYearForm


@require_GET
@page
def fund(request):
    form = CountyYearForm(initial={"coverage_year": timezone.localdate().year})
    return _render(request, form)


@require_POST
@page
def fund_post(request):
    """Finance or the county admin post a coverage year's confirmed premiums to the fund."""
    user = request.user
    form = CountyYearForm(request.POST)
    if form.is_valid():
        try:
            posting = services.post_confirmed(
                acting_user=user,
                region_code=user_county(user),
                coverage_year=form.cleaned_data["coverage_year"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("已记入医保基金：%(n)s笔应缴，%(e)s条基金记录，合计%(s)s元。")
                % {"n": posting.due_count, "e": posting.entry_count, "s": posting.amount_sum},
            )
            return redirect("medical:fund")
    return _render(request, form)


@require_POST
@page
def fund_post_settlements(request):
    """Finance or the county admin post a coverage year's settlements (claim payments) to the
    fund: the basic fund pays, critical illness and assistance are booked under their own
    schemes."""
    user = request.user
    form = CountyYearForm(request.POST)
    if form.is_valid():
        try:
            posting = fund_claims.post_settlements(
                acting_user=user,
                region_code=user_county(user),
                coverage_year=form.cleaned_data["coverage_year"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("已记入医保基金：%(n)s笔结算，%(e)s条基金记录，基本医保基金合计%(s)s元。")
                % {
                    "n": posting.settlement_count,
                    "e": posting.entry_count,
                    "s": posting.amount_sum,
                },
            )
            return redirect("medical:fund")
    return _render(request, form)


def _render(request, form):
    user = request.user
    return render(
        request,
        "medical/fund.html",
        {
            "years": queries.fund_balance(user),
            "postings": queries.posting_list(user),
            "form": form,
            "can_post": can(user, "medical_fund.post"),
        },
    )

"""Pages of the pension awards: benefit standards, the estimator (养老金测算), the monthly list
of people turning 60 (with Excel), the awards, one award with its calculation sheet
(养老金计算表, on screen, printable and as PDF, one or a village's month), apply and decide."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core import audit, pdf
from jumin.core.access import can, masked_for, require, user_county
from jumin.core.exports import ExcelExport
from jumin.core.forms import add_errors
from jumin.core.models import Region
from jumin.core.pages import page
from jumin.core.text import is_ascii_digits
from jumin.pension import rules
from jumin.pension.models import AwardStatus, BenefitStandard, ancestor_codes
from jumin.pension.queries import awards as queries
from jumin.pension.registry import PensionAction
from jumin.pension.services import awards as services
from jumin.pension.services import benefits as benefit_services
from jumin.pension.services import estimator
from jumin.pension.web.forms import DecideForm, EstimateForm, StandardForm
from jumin.people.queries import person_get


def _month(text: str, default: datetime.date) -> datetime.date:
    try:
        month = datetime.date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        return default
    return month if 2000 <= month.year <= 2100 else default


# --------------------------------------------------------------------------- standards


@page
@require_GET
def benefit_standards(request):
    user = request.user
    codes = ancestor_codes(user_county(user).ljust(12, "0")) if user_county(user) else []
    rows = BenefitStandard.objects.filter(region_id__in=codes).select_related("region")
    return render(
        request,
        "pension/benefit_standards.html",
        {
            "standards": rows.order_by("region_id", "-effective_from"),
            "can_manage": can(user, "benefit_standard.manage"),
            "form": StandardForm(),
        },
    )


@page
@require_http_methods(["GET", "POST"])
def benefit_standard_create(request):
    user = request.user
    require(user, "benefit_standard.manage")
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        county = Region.objects.filter(pk=user_county(user).ljust(12, "0")).first()
        if county is None:
            raise Http404
        try:
            benefit_services.standard_create(
                acting_user=user, region=county, data=form.data_for_service()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("已新增待遇标准。"))
            return redirect("pension:benefit_standards")
    return render(request, "pension/benefit_standard_form.html", {"form": form})


# --------------------------------------------------------------------------- estimator


@page
@require_GET
def estimate(request):
    """Every grade of the plan side by side for a birth date and a first year (a GET form:
    an estimate writes nothing)."""
    user = request.user
    form = EstimateForm(request.GET or None)
    rows, error_text = [], ""
    if request.GET and form.is_valid():
        region = user.region_id or ""
        try:
            rows = estimator.grade_comparison(
                region_code=region,
                birth_date=form.cleaned_data["birth_date"],
                on=services.today(),
                from_year=form.cleaned_data["from_year"],
                opening=form.cleaned_data["opening"] or 0,
                opening_years=form.cleaned_data["opening_years"] or 0,
            )
        except ValidationError as error:
            error_text = "；".join(error.messages)
    return render(
        request, "pension/estimate.html", {"form": form, "rows": rows, "error": error_text}
    )


@page
@require_GET
def estimate_person(request, person_pk):
    """One person's estimate from their own ledger and grade, and every grade compared."""
    user = request.user
    require(user, "estimate.run")
    person = person_get(user, person_pk)
    on = services.today()
    result, rows, error_text = None, [], ""
    try:
        result = estimator.pension_estimate(estimator.from_ledger(person, on=on, grade=None))
        data = estimator.from_ledger(person, on=on, grade=None)
        if rules.start_month_for(person.birth_date, applied_on=on).year > on.year + 1:
            rows = estimator.grade_comparison(
                region_code=person.village_id,
                birth_date=person.birth_date,
                on=on,
                from_year=on.year + 1,
                opening=data.opening,
                opening_years=data.opening_years,
            )
    except ValidationError as error:
        error_text = "；".join(error.messages)
    return render(
        request,
        "pension/estimate_person.html",
        {
            "person": person,
            "id_number": masked_for(user, "id_number", person.id_number),
            "result": result,
            "rows": rows,
            "error": error_text,
        },
    )


# --------------------------------------------------------------------------- turning 60


@page
@require_GET
def turning_60(request):
    user = request.user
    today = services.today()
    month = _month(request.GET.get("month", ""), rules.month_after(today))
    village = request.GET.get("village", "")
    village = village if is_ascii_digits(village) and len(village) <= 12 else ""
    rows = queries.turning_60(user, month=month, village=village)
    if request.GET.get("export") == "xlsx":
        audit.record(
            actor=user,
            action=PensionAction.AWARD_EXPORT,
            object_type="pension.award",
            region_code=user.region_id or "",
            after={"month": month},
        )
        export = ExcelExport()
        sheet = export.sheet(_("到龄人员"))
        sheet.append(
            [
                _("村（社区）"),
                _("姓名"),
                _("身份证号"),
                _("出生日期"),
                _("待遇起始月"),
                _("类型"),
                _("已缴年限"),
                _("应缴年限"),
                _("欠缴年限"),
                _("资格"),
            ]
        )
        for row in rows:
            e = row.eligibility
            sheet.append(
                [
                    row.person.village.name,
                    row.person.name,
                    masked_for(user, "id_number", row.person.id_number),
                    row.person.birth_date,
                    row.start_month.strftime("%Y-%m"),
                    e.kind if e else "",
                    e.contribution_years if e else "",
                    e.required_years if e else "",
                    e.missing_years if e else "",
                    _status_text(e),
                ]
            )
        return export.response(f"到龄人员{month:%Y%m}.xlsx")
    return render(
        request,
        "pension/turning_60.html",
        {
            "month": month,
            "village": village,
            "rows": [(row, _status_text(row.eligibility)) for row in rows],
            "short": [row for row in rows if row.eligibility and row.eligibility.short_of_years],
            "can_apply": can(user, "award.apply"),
        },
    )


def _status_text(eligibility) -> str:
    if eligibility is None:
        return _("没有待遇标准")
    if eligibility.refusals:
        return "；".join(eligibility.refusals)
    if eligibility.missing_years:
        return _("到龄欠费：差%(n)s年，可补缴") % {"n": eligibility.missing_years}
    return _("符合领取条件")


# --------------------------------------------------------------------------- awards


@page
@require_GET
def awards(request):
    user = request.user
    status = request.GET.get("status", "")
    status = status if status in AwardStatus.values else ""
    rows = queries.award_list(user, status=status)[:500]
    return render(
        request,
        "pension/awards.html",
        {"awards": rows, "status": status, "statuses": AwardStatus.choices},
    )


def _sheet_context(user, award_list) -> dict:
    return {
        "awards": [
            {
                "award": award,
                "id_number": masked_for(user, "id_number", award.person.id_number),
                "total": award.account_pension + award.basic_pension,
            }
            for award in award_list
        ],
        "title": _("养老金计算表"),
        "printed_on": services.today(),
    }


@page
@require_GET
def award_detail(request, pk):
    user = request.user
    award = queries.award_get(user, pk)
    return render(
        request,
        "pension/award_detail.html",
        {
            **_sheet_context(user, [award]),
            "award": award,
            "can_decide": can(user, "award.decide") and award.status == AwardStatus.APPLIED,
            "form": DecideForm(),
        },
    )


@page
@require_GET
def award_sheet(request, pk):
    """The calculation sheet of one award: the browser's A4 print page, or ``?pdf=1``."""
    user = request.user
    award = queries.award_get(user, pk)
    context = _sheet_context(user, [award])
    if request.GET.get("pdf"):
        return pdf.pdf_response(
            "pension/print/award_sheet.html", context, filename=f"养老金计算表{award.pk}.pdf"
        )
    return render(request, "pension/print/award_sheet.html", {**context, "pdf_url": "?pdf=1"})


@page
@require_GET
def award_sheets(request):
    """A village's (or the scope's) awards starting in a month, one sheet each."""
    user = request.user
    month = _month(request.GET.get("month", ""), services.today().replace(day=1))
    village = request.GET.get("village", "")
    village = village if is_ascii_digits(village) and len(village) <= 12 else ""
    rows = list(
        queries.award_list(user, status=AwardStatus.ACTIVE, village=village, start_month=month)[
            :500
        ]
    )
    context = _sheet_context(user, rows)
    if request.GET.get("pdf"):
        return pdf.pdf_response(
            "pension/print/award_sheet.html", context, filename=f"养老金计算表{month:%Y%m}.pdf"
        )
    return render(
        request,
        "pension/print/award_sheet.html",
        {**context, "pdf_url": f"?month={month:%Y-%m}&village={village}&pdf=1"},
    )


@page
@require_POST
def award_apply(request, person_pk):
    user = request.user
    require(user, "award.apply")
    person = person_get(user, person_pk)
    try:
        award, created = services.award_apply(acting_user=user, person=person)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("pension:turning_60")
    messages.success(request, _("已受理待遇申请。") if created else _("该人员已有待审核的申请。"))
    return redirect("pension:award_detail", award.pk)


@page
@require_POST
def award_decide(request, pk):
    user = request.user
    require(user, "award.decide")
    award = queries.award_get(user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果"))
    else:
        try:
            services.award_decide(
                acting_user=user,
                award=award,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已审核。"))
    return redirect("pension:award_detail", award.pk)

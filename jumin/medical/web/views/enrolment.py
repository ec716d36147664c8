"""Medical enrolment pages (H4): the list, one enrolment with its dues and covered-from
date, registering, the county's renewal run. Thin: ``@page`` checks the permission; then one
query or service, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.collection.schemes import label_of
from jumin.core.access import can, masked_for, user_county
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.medical.models import CoverageStatus
from jumin.medical.queries import enrolment as queries
from jumin.medical.services import back_payment
from jumin.medical.services import enrolment as services
from jumin.medical.web.enrolment_forms import CountyYearForm, RegisterForm
from jumin.people.queries.persons import person_find_by_id_number

PAGE_SIZE = 50


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


@require_GET
@page
def enrolments(request):
    user = request.user
    year = _year(request.GET.get("year"))
    status = request.GET.get("status", "")
    if status not in CoverageStatus.values:
        status = ""
    search = (request.GET.get("q") or "").strip()[:30]
    rows = queries.enrolment_list(user, coverage_year=year, status=status or None, search=search)
    listing = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for enrolment in listing:
        enrolment.id_number_shown = masked_for(user, "id_number", enrolment.person.id_number)
    query = {k: v for k, v in (("year", year or ""), ("status", status), ("q", search)) if v}
    return render(
        request,
        "medical/enrolment_list.html",
        {
            "page": listing,
            "year": year,
            "status": status,
            "q": search,
            "statuses": CoverageStatus.choices,
            "query": urlencode(query),
            "can_register": can(user, "medical_enrolment.register"),
            "can_renew": can(user, "medical_enrolment.renew"),
        },
    )


@require_GET
@page
def enrolment_detail(request, pk: int):
    enrolment = queries.enrolment_get(request.user, pk)
    dues = [(due, label_of(due.scheme)) for due in queries.dues_of(enrolment)]
    missed = []
    if enrolment.status == CoverageStatus.PENDING and can(
        request.user, "medical_enrolment.register"
    ):
        made = {due.year for due, _scheme in dues if due.year < enrolment.coverage_year}
        missed = [year for year in back_payment.break_years(enrolment) if year not in made]
    return render(
        request,
        "medical/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "dues": dues,
            "missed": missed,
            "id_number": masked_for(request.user, "id_number", enrolment.person.id_number),
        },
    )


@require_POST
@page
def enrolment_back_payment(request, pk: int):
    """Make the back-payment dues of the break years ticked on the enrolment's page."""
    enrolment = queries.enrolment_get(request.user, pk)
    try:
        dues = back_payment.back_payment_make(
            acting_user=request.user,
            enrolment=enrolment,
            years=request.POST.getlist("years"),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已生成%(years)s年度的补缴应缴，缴清后按补缴年数减少变动等待期。")
            % {"years": "、".join(str(due.year) for due in dues)},
        )
    return redirect("medical:enrolment_detail", enrolment.pk)


@require_http_methods(["GET", "POST"])
@page
def enrolment_register(request):
    today = timezone.localdate()
    form = RegisterForm(request.POST or None, initial={"coverage_year": today.year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = person_find_by_id_number(request.user, data["id_number"].strip().upper())
        if person is None:
            form.add_error("id_number", _("您的辖区内没有这个身份证号的参保人"))
        else:
            try:
                enrolment = services.enrolment_register(
                    acting_user=request.user,
                    person=person,
                    coverage_year=data["coverage_year"],
                    on=data.get("enrolled_on") or today,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s已登记%(year)s年度居民医保。")
                    % {"name": person.name, "year": enrolment.coverage_year},
                )
                return redirect("medical:enrolment_detail", enrolment.pk)
    return render(request, "medical/enrolment_register.html", {"form": form})


@require_http_methods(["GET", "POST"])
@page
def enrolment_renew(request):
    """The county's renewal (批量续保) and the covered-from run (确定待遇享受起始日)."""
    today = timezone.localdate()
    form = CountyYearForm(request.POST or None, initial={"coverage_year": today.year + 1})
    county = user_county(request.user)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["coverage_year"]
        try:
            if request.POST.get("action") == "cover":
                count = services.coverage_update(
                    acting_user=request.user, region_code=county, coverage_year=year
                )
                messages.success(request, _("已确定%(n)s人的待遇享受起始日。") % {"n": count})
            else:
                result = services.enrolment_renew(
                    acting_user=request.user, region_code=county, coverage_year=year, on=today
                )
                messages.success(
                    request,
                    _("%(year)s年度续保：新登记%(n)s人，生成应缴%(d)s笔。")
                    % {"year": year, "n": result["enrolled"], "d": result["dues"]},
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(f"{request.path}?year={year}")
    return render(request, "medical/enrolment_renew.html", {"form": form})

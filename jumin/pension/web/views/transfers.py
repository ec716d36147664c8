"""Pages of transfers between counties (转移接续) and scheme-link cases (制度衔接): lists with
the step deadlines (late ones highlighted), registering, advancing a step, deciding a case."""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.access import can, masked_for, require, scope
from jumin.core.forms import Form, add_errors
from jumin.core.models import Region, RegionLevel
from jumin.core.pages import page
from jumin.pension.queries import transfers as queries
from jumin.pension.services import transfers as services
from jumin.people.queries import person_find_by_id_number
from jumin.people.rules import IdNumberError, parse_id_number


class TransferForm(Form):
    id_number = forms.CharField(label="身份证号", max_length=18)
    to_village = forms.ChoiceField(label="转入村（社区）")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        villages = scope(Region.objects.filter(level=RegionLevel.VILLAGE), user).order_by("code")
        self.fields["to_village"].choices = [
            (v.code, f"{v.name}（{v.code}）") for v in villages[:2000]
        ]


class LinkForm(Form):
    id_number = forms.CharField(label="身份证号", max_length=18)
    employee_years = forms.IntegerField(label="职保缴费年限", min_value=0, max_value=60)
    employee_balance = forms.DecimalField(
        label="职保个人账户余额（元）", min_value=0, max_digits=12, decimal_places=2
    )
    overlap = forms.CharField(
        label="重复缴费月数（年度:月数，逗号分隔，如 2019:6,2020:12）",
        max_length=400,
        required=False,
    )


def _number(value: str) -> str:
    try:
        return parse_id_number(value, today=timezone.localdate()).number
    except IdNumberError as error:
        raise ValidationError({"id_number": f"身份证号：{error}"}) from None


def _today():
    return timezone.localdate()


@require_http_methods(["GET"])
@page
def transfers(request):
    user = request.user
    rows = list(queries.transfer_list(user).order_by("status", "due_on", "pk")[:500])
    return render(
        request,
        "pension/transfers.html",
        {
            "rows": rows,
            "today": _today(),
            "form": TransferForm(user=user),
            "can_manage": can(user, "transfer.manage"),
        },
    )


@require_POST
@page
def transfer_request(request):
    user = request.user
    form = TransferForm(request.POST, user=user)
    if form.is_valid():
        try:
            person = queries.person_by_id_number(_number(form.cleaned_data["id_number"]))
            if person is None:
                raise ValidationError({"id_number": "身份证号：没有这位参保人"})
            transfer = services.transfer_request(
                acting_user=user, person=person, to_village_code=form.cleaned_data["to_village"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "已登记转移接续，请在期限内出具联系函。")
            return redirect("pension:transfer_detail", transfer.pk)
    rows = list(queries.transfer_list(user).order_by("status", "due_on", "pk")[:500])
    return render(
        request,
        "pension/transfers.html",
        {"rows": rows, "today": _today(), "form": form, "can_manage": True},
    )


@require_GET
@page
def transfer_detail(request, pk):
    user = request.user
    transfer = queries.transfer_get(user, pk)
    return render(
        request,
        "pension/transfer_detail.html",
        {
            "t": transfer,
            "id_number": masked_for(user, "id_number", transfer.person.id_number),
            "today": _today(),
            "can_manage": can(user, "transfer.manage"),
        },
    )


@require_POST
@page
def transfer_advance(request, pk):
    user = request.user
    transfer = queries.transfer_get(user, pk)
    try:
        services.transfer_advance(acting_user=user, transfer=transfer)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已办理。")
    return redirect("pension:transfer_detail", transfer.pk)


class CancelForm(Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


@require_POST
@page
def transfer_cancel(request, pk):
    user = request.user
    transfer = queries.transfer_get(user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤销原因：必须填写")
        return redirect("pension:transfer_detail", transfer.pk)
    try:
        services.transfer_cancel(
            acting_user=user, transfer=transfer, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已撤销。")
    return redirect("pension:transfer_detail", transfer.pk)


def parse_overlap(text: str) -> dict:
    """``"2019:6, 2020:12"`` → ``{"2019": 6, "2020": 12}``; ValidationError naming the item."""
    result = {}
    for item in (text or "").replace("，", ",").split(","):
        item = item.strip().replace("：", ":")
        if not item:
            continue
        matched = re.fullmatch(r"([0-9]{4})\s*:\s*([0-9]{1,2})", item)
        if matched is None:
            raise ValidationError({"overlap": f"重复缴费月数：“{item}”应写成 年度:月数"})
        result[matched.group(1)] = int(matched.group(2))
    return result


@require_GET
@page
def links(request):
    user = request.user
    return render(
        request,
        "pension/links.html",
        {
            "rows": queries.link_list(user).order_by("-created_at")[:500],
            "form": LinkForm(),
            "can_manage": can(user, "link.manage"),
        },
    )


@require_POST
@page
def link_create(request):
    user = request.user
    require(user, "link.manage")
    form = LinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person = person_find_by_id_number(user, _number(data["id_number"]))
            if person is None:
                raise ValidationError({"id_number": "身份证号：本辖区没有这位参保人"})
            link = services.link_create(
                acting_user=user,
                person=person,
                employee_years=data["employee_years"],
                employee_balance=data["employee_balance"],
                overlap_months=parse_overlap(data["overlap"]),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("pension:link_detail", link.pk)
    return render(
        request,
        "pension/links.html",
        {
            "rows": queries.link_list(user).order_by("-created_at")[:500],
            "form": form,
            "can_manage": True,
        },
    )


@require_GET
@page
def link_detail(request, pk):
    user = request.user
    link = queries.link_get(user, pk)
    return render(
        request,
        "pension/link_detail.html",
        {
            "link": link,
            "steps": [step for step in link.explanation if "label" in step],
            "id_number": masked_for(user, "id_number", link.person.id_number),
            "can_manage": can(user, "link.manage"),
        },
    )


@require_POST
@page
def link_decide(request, pk):
    user = request.user
    link = queries.link_get(user, pk)
    try:
        services.link_decide(acting_user=user, link=link)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "制度衔接已办结。")
    return redirect("pension:link_detail", link.pk)

"""Staff pages for persons: search, detail, create, edit, household and the Excel export.
Thin: parse, call a service or query, render. ``@page`` checks the permission the registry
declares for the page (403); objects come through the scoped queries (out of scope → 404).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jumin.core import audit
from jumin.core.access import can, masked_for
from jumin.core.exports import ExcelExport
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.people import fields, queries, services
from jumin.people.fields import Kind
from jumin.people.formats import person_export
from jumin.people.models import DETAIL_LABELS
from jumin.people.registry import PeopleAction
from jumin.people.rules import age_on, parse_id_number
from jumin.people.web.forms import (
    PersonCreateForm,
    PersonEditForm,
    SpecialStatusForm,
)

SEARCH_LIMIT = 50


# --------------------------------------------------------------------------- search


@require_GET
@page
def search(request):
    text = request.GET.get("q", "").strip()
    context = {
        "q": text,
        **search_context(request, text),
        "village_choices": queries.village_choices(request.user),
        "can_create": can(request.user, "person.edit"),
    }
    return render(request, "people/search.html", context)


@require_GET
@page
def search_results(request):
    """The results table alone: htmx swaps it in while the clerk types."""
    text = request.GET.get("q", "").strip()
    return render(request, "people/_search_results.html", search_context(request, text))


def search_context(request, text: str) -> dict:
    found = list(queries.person_search(request.user, text, limit=SEARCH_LIMIT + 1))
    rows = [
        {"person": person, "id_number": masked_for(request.user, "id_number", person.id_number)}
        for person in found[:SEARCH_LIMIT]
    ]
    return {"q": text, "rows": rows, "more": len(found) > SEARCH_LIMIT, "limit": SEARCH_LIMIT}


# --------------------------------------------------------------------------- detail


@require_GET
@page
def detail(request, pk: int):
    user = request.user
    person = queries.person_view(user, pk)
    today = timezone.localdate()
    statuses = list(queries.special_status_list(user, person, on=today))
    for status in statuses:
        status.detail_label = DETAIL_LABELS.get(status.detail, status.detail)
    context = {
        "person": person,
        "facts": person_facts(user, person, today=today),
        "statuses": statuses,
        "today": today,
        "history": queries.person_history(user, person),
        "can_edit": can(user, "person.edit"),
        "status_form": SpecialStatusForm(),
    }
    return render(request, "people/detail.html", context)


@dataclass
class Fact:
    """One line of the detail page's basic facts."""

    label: str
    value: str
    note: str = ""  # after the value (an age, a hint)
    code: str = ""  # after the value, muted (a village's code)
    url: str = ""  # the value links there


def person_facts(user, person, *, today) -> list[Fact]:
    """The person's fields as the detail page shows them, in the spec's order, masked for
    roles without the full view; a village shows its township too, a household links to it."""
    facts = []
    for person_field in fields.PERSON_FIELDS:
        value = fields.stored_value(person, person_field)
        kind, label = person_field.kind, person_field.label
        if kind == Kind.VILLAGE:
            township = person.village.parent
            facts.append(Fact(_("乡镇"), township.name if township else ""))
            facts.append(Fact(label, person.village.name, code=person.village_id))
        elif kind == Kind.HOUSEHOLD and person.household_id:
            url = reverse("people:household", args=[person.household_id])
            facts.append(Fact(label, value, note=_("（点击查看全家）"), url=url))
        elif kind == Kind.CHOICE:
            facts.append(Fact(label, fields.choice_label(person_field, value)))
        elif kind == Kind.DATE:
            note = ""
            if person_field.name == "birth_date" and not person.death_date:
                note = _("（%(age)s 岁）") % {"age": age_on(person.birth_date, today)}
            facts.append(Fact(label, f"{value:%Y-%m-%d}" if value else "", note=note))
        elif person_field.masked_as:
            facts.append(Fact(label, masked_for(user, person_field.masked_as, value)))
        else:
            facts.append(Fact(label, value))
    return facts


# --------------------------------------------------------------------------- create / edit


@require_http_methods(["GET", "POST"])
@page
def create(request):
    user = request.user
    choices = queries.village_choices(user)
    form = PersonCreateForm(request.POST or None, village_choices=choices)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(acting_user=user, data=form.cleaned_data)
        except ValidationError as error:
            if is_duplicate_id(error):
                number = parse_id_number(form.cleaned_data["id_number"], today=timezone.localdate())
                existing = queries.person_find_by_id_number(user, number.number)
            add_errors(form, error)
        else:
            messages.success(request, _("已登记：%(name)s") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    villages = [code for _township, group in choices for code, _name in group]
    if request.method == "GET" and len(villages) == 1:
        form.initial["village_id"] = villages[0]
    return render(
        request, "people/person_form.html", {"form": form, "existing": existing, "person": None}
    )


def is_duplicate_id(error: ValidationError) -> bool:
    return any(item.code == "duplicate" for item in error.error_dict.get("id_number", []))


@require_http_methods(["GET", "POST"])
@page
def edit(request, pk: int):
    user = request.user
    person = queries.person_get(user, pk)
    choices = queries.village_choices(user)
    if request.method == "POST":
        form = PersonEditForm(request.POST, village_choices=choices)
        if form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if key != "reason"}
            stamp = person.updated_at
            try:
                person = services.person_update(
                    acting_user=user, person=person, data=data, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if person.updated_at == stamp:
                    messages.info(request, _("没有需要保存的修改。"))
                else:
                    messages.success(request, _("修改已保存。"))
                return redirect("people:detail", pk=person.pk)
    else:
        form = PersonEditForm(initial=edit_initial(person), village_choices=choices)
    return render(
        request, "people/person_form.html", {"form": form, "existing": None, "person": person}
    )


def edit_initial(person) -> dict:
    return {f.name: fields.stored_value(person, f) for f in fields.EDITABLE}


# --------------------------------------------------------------------------- household


@require_GET
@page
def household(request, pk: int):
    user = request.user
    found = queries.household_get(user, pk)
    members = [
        {"person": person, "id_number": masked_for(user, "id_number", person.id_number)}
        for person in queries.household_members(user, found)
    ]
    context = {"household": found, "township": found.village.parent, "members": members}
    return render(request, "people/household.html", context)


# --------------------------------------------------------------------------- export


@require_GET
@page
def export(request):
    """The persons in scope (or one village of it) as an Excel file, masked per role.

    The workbook is built in memory (openpyxl write-only mode, rows read from the database in
    chunks): about 15 MB for 100 000 persons, fine for a village or a township. A whole
    county of several hundred thousand persons belongs in a background job writing to a file.
    """
    user = request.user
    village_code = request.GET.get("village", "").strip()
    village = queries.village_get(user, village_code) if village_code else None
    workbook = ExcelExport()
    sheet = workbook.sheet(_("参保人"))
    sheet.append(person_export.headers())
    for person in queries.person_export_list(user, village=village).iterator(chunk_size=2000):
        sheet.append(person_export.row(user, person))
    count = sheet.rows - 1
    audit.record(
        actor=user,
        action=PeopleAction.PERSON_EXPORT,
        object_type="people.person",
        object_label=village.name if village else (user.region.name if user.region else ""),
        region_code=village.code if village else (user.region_id or ""),
        after={"rows": count, "village": village.code if village else ""},
    )
    return workbook.response(f"persons-{village.code if village else user.region_id}.xlsx")

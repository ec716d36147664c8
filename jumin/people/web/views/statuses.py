"""Special status pages: add a status to a person, end one. Thin: parse, authorise, call a
service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.people import queries, services
from jumin.people.web.forms import SpecialStatusEndForm, SpecialStatusForm


@require_http_methods(["GET", "POST"])
@page
def status_add(request, pk: int):
    """The detail page carries this form; GET shows it alone, POST adds the status."""
    user = request.user
    person = queries.person_get(user, pk)
    form = SpecialStatusForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            status = services.special_status_add(
                acting_user=user, person=person, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("已添加特殊群体身份：%(kind)s") % {"kind": status.get_kind_display()}
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/status_form.html",
        {"person": person, "form": form, "status": None},
    )


@require_http_methods(["GET", "POST"])
@page
def status_end(request, pk: int, status_pk: int):
    """GET shows the small form (end date, reason); POST ends the status."""
    user = request.user
    person = queries.person_get(user, pk)
    status = queries.special_status_get(user, person, status_pk)
    if request.method == "GET":
        form = SpecialStatusEndForm(initial={"valid_to": timezone.localdate()})
    else:
        form = SpecialStatusEndForm(request.POST)
    if form.is_bound and form.is_valid():
        try:
            services.special_status_end(acting_user=user, status=status, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s身份的结束日期已设为 %(day)s")
                % {"kind": status.get_kind_display(), "day": form.cleaned_data["valid_to"]},
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/status_form.html",
        {"person": person, "form": form, "status": status},
    )

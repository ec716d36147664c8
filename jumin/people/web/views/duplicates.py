"""Suspected duplicates: the list of groups, and a reviewer's conclusion on a pair."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jumin.core.access import can, masked_for
from jumin.core.pages import page
from jumin.people import queries, services
from jumin.people.web.forms import DuplicateReviewForm


@require_GET
@page
def duplicates(request):
    user = request.user
    village_code = request.GET.get("village", "").strip()
    village = queries.village_get(user, village_code) if village_code else None
    groups, more = queries.duplicate_groups(user, village=village)
    for group in groups:
        for person in group.persons:
            person.id_number_shown = masked_for(user, "id_number", person.id_number)
    context = {
        "groups": groups,
        "more": more,
        "village": village,
        "village_choices": queries.village_choices(user),
        "can_review": can(user, "duplicate.review"),
    }
    return render(request, "people/duplicates.html", context)


@require_POST
@page
def duplicate_review(request):
    user = request.user
    form = DuplicateReviewForm(request.POST)
    back = reverse("people:duplicates")
    village_code = request.POST.get("village", "").strip()
    if village_code:
        back += "?" + urlencode({"village": queries.village_get(user, village_code).code})
    if not form.is_valid():
        for message in [message for errors in form.errors.values() for message in errors]:
            messages.error(request, message)
        return redirect(back)
    first = queries.person_get(user, form.cleaned_data["first"])
    second = queries.person_get(user, form.cleaned_data["second"])
    try:
        review = services.duplicate_review_record(
            acting_user=user,
            first=first,
            second=second,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in [message for errors in error.message_dict.values() for message in errors]:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已记录：%(first)s 与 %(second)s，%(decision)s")
            % {
                "first": first.name,
                "second": second.name,
                "decision": review.get_decision_display(),
            },
        )
    return redirect(back)

"""Staff account pages for county administrators: list, create, edit, reset password,
unlock, deactivate. An account outside the administrator's area answers 404.

"Locked" means django-axes refuses this user name from at least one address; the edit page
lists the failed attempts by address and unlocking forgets them all (audited)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.core.auth import locked_usernames, login_attempts
from jumin.core.forms import add_errors
from jumin.core.models import Role
from jumin.core.pages import page
from jumin.core.queries import staff as staff_queries
from jumin.core.queries.regions import region_choices_for_staff
from jumin.core.services import staff as staff_services
from jumin.core.web.forms import StaffCreateForm, StaffEditForm

PAGE_SIZE = 50


@require_GET
@page
def staff_list(request):
    text = request.GET.get("q", "").strip()[:50]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    users = staff_queries.staff_list(request.user, text=text, role=role)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [account.username for account in page.object_list]
    locked = set(locked_usernames().filter(username__in=shown).values_list("username", flat=True))
    return render(
        request,
        "core/staff_list.html",
        {"page": page, "q": text, "role": role, "roles": Role.choices, "locked": locked},
    )


@never_cache
@page
@require_http_methods(["GET", "POST"])
def staff_create(request):
    choices = region_choices_for_staff(request.user)
    form = StaffCreateForm(request.POST or None, region_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = staff_services.staff_create(
                acting_user=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                region_code=data["region"],
                phone=data["phone"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return render(
                request,
                "core/staff_password.html",
                {"account": user, "password": password, "created": True},
            )
    return render(request, "core/staff_form.html", {"form": form, "account": None})


@never_cache
@page
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    account = staff_queries.staff_get(request.user, pk)
    choices = region_choices_for_staff(request.user)
    initial = {
        "full_name": account.full_name,
        "role": account.role,
        "region": account.region_id,
        "phone": account.phone,
        "is_active": account.is_active,
    }
    form = StaffEditForm(request.POST or None, initial=initial, region_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_services.staff_update(
                acting_user=request.user,
                user=account,
                full_name=data["full_name"],
                role=data["role"],
                region_code=data["region"],
                phone=data["phone"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            account.refresh_from_db()
            add_errors(form, error)
        else:
            messages.success(request, _("已保存 %(name)s 的账号。") % {"name": account})
            return redirect("core:staff")
    attempts = login_attempts(account.username)
    return render(
        request,
        "core/staff_form.html",
        {
            "form": form,
            "account": account,
            "attempts": attempts,
            "is_locked": any(attempt["locked"] for attempt in attempts),
        },
    )


@never_cache
@require_POST
@page
def staff_reset_password(request, pk: int):
    account = staff_queries.staff_get(request.user, pk)
    password = staff_services.staff_reset_password(acting_user=request.user, user=account)
    return render(
        request,
        "core/staff_password.html",
        {"account": account, "password": password, "created": False},
    )


@require_POST
@page
def staff_unlock(request, pk: int):
    account = staff_queries.staff_get(request.user, pk)
    staff_services.staff_unlock(acting_user=request.user, user=account)
    messages.success(
        request, _("已解除 %(name)s 的锁定，从任何地址都可以重新登录。") % {"name": account}
    )
    return redirect("core:staff_edit", pk=account.pk)


@require_POST
@page
def staff_deactivate(request, pk: int):
    account = staff_queries.staff_get(request.user, pk)
    try:
        staff_services.staff_deactivate(
            acting_user=request.user, user=account, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("core:staff_edit", pk=account.pk)
    messages.success(request, _("已停用 %(name)s 的账号。") % {"name": account})
    return redirect("core:staff")

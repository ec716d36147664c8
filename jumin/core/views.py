"""Login, logout, the home page and the password change page.

Region, staff and audit pages live in ``views_regions.py``, ``views_staff.py`` and
``views_audit.py``.
"""

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jumin.core import audit, queries, services
from jumin.core.auth import AccountLocked
from jumin.core.forms import LoginForm, PasswordChangeForm
from jumin.core.navigation import tasks_for


@require_http_methods(["GET", "POST"])
def login(request):
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = auth.authenticate(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except AccountLocked as locked:
            until = timezone.localtime(locked.until).strftime("%H:%M")
            error = _("登录失败次数过多，账号已锁定，请在 %(until)s 之后再试或联系县级管理员。") % {
                "until": until
            }
        else:
            if user is None:
                error = _("用户名或密码不正确。")
            else:
                with transaction.atomic():
                    auth.login(request, user)
                    audit.record(actor=user, action="auth.login", obj=user)
                if user.must_change_password:
                    return redirect("core:password_change")
                next_url = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                    next_url = ""
                return redirect(next_url or "core:home")
    return render(request, "core/login.html", {"form": form, "error": error})


@require_http_methods(["POST"])
def logout(request):
    if request.user.is_authenticated:
        audit.record(actor=request.user, action="auth.logout", obj=request.user)
    auth.logout(request)
    return redirect("core:login")


@login_required
def home(request):
    return render(
        request,
        "core/home.html",
        {"summary": queries.home_summary(request.user), "tasks": tasks_for(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Every user changes their own password here; after a reset they are sent here first."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field, message)
        else:
            auth.update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改，下次登录请使用新密码。"))
            return redirect("core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )

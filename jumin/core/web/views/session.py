"""Login, logout and the password change page."""

from django.contrib import auth, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jumin.core import audit
from jumin.core.auth import lockout_message, record_login_failure
from jumin.core.forms import add_errors
from jumin.core.pages import page
from jumin.core.registry import CoreAction
from jumin.core.services.staff import password_change as change_password
from jumin.core.web.forms import LoginForm, PasswordChangeForm


@require_http_methods(["GET", "POST"])
@page
def login(request):
    """Sign in. A wrong password and an unknown user name get the same answer; so does a
    locked-out attempt (django-axes: too many failures of this user name from this address)."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        with transaction.atomic():
            user = auth.authenticate(
                request, username=username, password=form.cleaned_data["password"]
            )
            if user is None:
                record_login_failure(request, username)
            else:
                auth.login(request, user)
                audit.record(actor=user, action=CoreAction.SESSION_LOGIN, obj=user)
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return login_locked_out(request)
            error = _("用户名或密码不正确。")
        else:
            if user.must_change_password:
                return redirect("core:password_change")
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "core:home")
    return render(request, "core/login.html", {"form": form, "error": error})


def login_locked_out(request, original_response=None, credentials=None):
    """The login page with the lockout message (429); also ``AXES_LOCKOUT_CALLABLE``, so a
    lockout met anywhere (the admin's login form) answers the same way."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    form = LoginForm(initial={"username": request.POST.get("username", "")[:150]})
    return render(
        request,
        "core/login.html",
        {"form": form, "error": lockout_message(), "locked_out": True},
        status=429,
    )


@require_http_methods(["POST"])
@page
def logout(request):
    if request.user.is_authenticated:
        audit.record(actor=request.user, action=CoreAction.SESSION_LOGOUT, obj=request.user)
    auth.logout(request)
    return redirect("core:login")


@page
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Every user changes their own password here; after a reset they are sent here first."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            auth.update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改，下次登录请使用新密码。"))
            return redirect("core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )

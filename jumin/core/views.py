"""Login, logout and the home page. Region, staff and audit pages live in their own modules."""

from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jumin.core import audit
from jumin.core.auth import AccountLocked
from jumin.core.forms import LoginForm


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
    from jumin.core.queries import home_summary

    return render(request, "core/home.html", {"summary": home_summary(request.user)})

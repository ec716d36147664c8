"""Login throttling (django-axes), its audit and unlocking, and the password rules.

Throttling counts wrong passwords per user name AND client address (settings: ``AXES_*``), so
someone who knows the county administrator's user name can lock out only their own address,
never the administrator at their desk. The same message answers a locked-out attempt whether
or not the account exists. API tokens are separate credentials and never pass through here.
"""

import datetime
import ipaddress
import string

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jumin.core import audit
from jumin.core.models import User
from jumin.core.registry import CoreAction


def login_failure_limit(request=None, credentials=None) -> int:
    """``AXES_FAILURE_LIMIT``: wrong passwords from one address before that address is locked
    out of that user name (``JUMIN_LOGIN_LOCK_FAILURES``)."""
    return settings.JUMIN_LOGIN_LOCK_FAILURES


def login_cool_off(request=None) -> datetime.timedelta:
    """``AXES_COOLOFF_TIME``: how long the lockout lasts (``JUMIN_LOGIN_LOCK_MINUTES``)."""
    return datetime.timedelta(minutes=settings.JUMIN_LOGIN_LOCK_MINUTES)


def lockout_message() -> str:
    """The one answer to a locked-out attempt, the same for an unknown user name."""
    return _(
        "登录失败次数过多，已暂停从这台电脑登录该账号 %(minutes)s 分钟。"
        "请稍后再试，或联系县级管理员解除锁定。"
    ) % {"minutes": settings.JUMIN_LOGIN_LOCK_MINUTES}


def client_address(request) -> str | None:
    """The client's address: the lockout's (``AXES_CLIENT_IP_CALLABLE``) and the audit trail's.

    The connection's own address, unless ``JUMIN_CLIENT_IP_HEADER`` names the header our
    reverse proxies append the address they saw to (``X-Forwarded-For`` with nginx's
    ``$proxy_add_x_forwarded_for``). Then only the entry the nearest of ``JUMIN_PROXY_COUNT``
    proxies wrote is believed, counted from the right: whatever the client sent itself lies to
    the left of it. (django-ipware is not used: it prefers a public address anywhere in the
    header, so an intranet client could choose its own address by sending one.)
    """
    remote = request.META.get("REMOTE_ADDR") or None
    header = settings.JUMIN_CLIENT_IP_HEADER
    if not header:
        return remote
    entries = [entry.strip() for entry in request.headers.get(header, "").split(",")]
    count = max(settings.JUMIN_PROXY_COUNT, 1)
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def record_login_failure(request, username: str) -> None:
    """Audit a refused login of an existing account (``auth.login_failed``), as before axes.

    Unknown user names are not audited (there is no account to file them under); django-axes
    keeps their attempts like every other.
    """
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    audit.record(
        actor=None,
        action=CoreAction.SESSION_LOGIN_FAILED,
        obj=user,
        after={
            "locked": bool(getattr(request, "axes_locked_out", False)),
            "ip_address": client_address(request),
        },
    )


def _recent_attempts(now: datetime.datetime | None = None) -> QuerySet:
    threshold = (now or timezone.now()) - login_cool_off()
    return AccessAttempt.objects.filter(attempt_time__gte=threshold)


def locked_usernames(now: datetime.datetime | None = None) -> QuerySet:
    """User names locked out from at least one address right now (a subquery of names)."""
    return (
        _recent_attempts(now)
        .filter(failures_since_start__gte=login_failure_limit())
        .values("username")
    )


def login_attempts(username: str, now: datetime.datetime | None = None) -> list[dict]:
    """The recent failed attempts at one user name, by address, for the staff page."""
    now = now or timezone.now()
    limit = login_failure_limit()
    rows = (
        _recent_attempts(now)
        .filter(username=username)
        .order_by("-attempt_time")
        .values("ip_address", "failures_since_start", "attempt_time")
    )
    return [
        {
            "ip_address": row["ip_address"] or "",
            "failures": row["failures_since_start"],
            "last_attempt": row["attempt_time"],
            "locked": row["failures_since_start"] >= limit,
            "until": row["attempt_time"] + login_cool_off(),
        }
        for row in rows
    ]


def login_unlock(username: str) -> int:
    """Forget every failed attempt at ``username`` (every address); returns how many rows.

    django-axes' own reset, so its database and cache handlers stay consistent."""
    return axes_reset(username=username)


def password_problems(password: str, user=None) -> list[str]:
    """What is wrong with ``password`` under ``AUTH_PASSWORD_VALIDATORS``, in Chinese.

    Django's own Chinese catalogue lacks the minimum-length message, so it is worded here;
    the messages are Chinese whatever language the browser asks for, like the rest of the UI.
    """
    from django.contrib.auth import password_validation
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            return [_chinese(item) for item in error.error_list]
    return []


def _chinese(error: ValidationError) -> str:
    if error.code == "password_too_short":
        return _("密码太短，至少要 %(min_length)d 个字符。") % (error.params or {"min_length": 10})
    return " ".join(error.messages)


class MixedCharactersValidator:
    """A password must contain both letters and digits."""

    def validate(self, password, user=None):
        has_digit = any(character in string.digits for character in password)
        if not (any(character.isalpha() for character in password) and has_digit):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_not_mixed")

    def get_help_text(self):
        return _("密码必须同时包含字母和数字。")


class UserNameRepeatedValidator:
    """A password must not be the user name repeated ("zhangsan1zhangsan1" for zhangsan).

    Django's similarity rule compares the whole password with the user name, so a name
    written twice is "different enough" for it; this rule refuses a password that holds the
    user name (any case) two or more times.
    """

    MIN_USERNAME_LENGTH = 3

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) < self.MIN_USERNAME_LENGTH:
            return
        if password.casefold().count(username) >= 2:
            raise ValidationError(
                _("密码不能由用户名重复组成，请换一个与用户名无关的密码。"),
                code="password_repeats_username",
            )

    def get_help_text(self):
        return _("密码不能由用户名重复组成。")


class PasswordChangeRequiredMiddleware:
    """After an administrator reset the password, the holder must set a new one first.

    Every page but the password change page, logout and static files redirects there while
    ``must_change_password`` is set. The JSON API (tokens belong to integrations) is left alone.
    Goes after ``AuthenticationMiddleware`` in ``settings.MIDDLEWARE``.
    """

    ALLOWED_NAMES = ("core:password_change", "core:logout", "core:login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            from django.shortcuts import redirect
            from django.urls import reverse

            allowed = {reverse(name) for name in self.ALLOWED_NAMES}
            static = "/" + settings.STATIC_URL.lstrip("/")
            if not (
                request.path in allowed
                or request.path.startswith(static)
                or request.path.startswith("/api/")
            ):
                return redirect("core:password_change")
        return self.get_response(request)

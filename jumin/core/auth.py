"""Login with lockout after repeated failures, and the password rule for mixed characters."""

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jumin.core import audit
from jumin.core.models import User


class AccountLocked(Exception):
    def __init__(self, until):
        super().__init__(until)
        self.until = until


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked account and counts failures.

    After ``JUMIN_LOGIN_LOCK_FAILURES`` wrong passwords in a row the account is locked for
    ``JUMIN_LOGIN_LOCK_MINUTES``; a correct password while locked is refused too.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        now = timezone.now()
        if user.is_locked(now):
            raise AccountLocked(user.locked_until)
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            locked = user.failed_logins >= settings.JUMIN_LOGIN_LOCK_FAILURES
            if locked:
                until = now + datetime.timedelta(minutes=settings.JUMIN_LOGIN_LOCK_MINUTES)
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            audit.record(
                actor=None,
                action="auth.login_failed",
                object_type="core.user",
                object_id=str(user.pk),
                object_label=user.username,
                region_code=user.region_id or "",
                after={"locked": locked},
            )
        if locked:
            raise AccountLocked(until)
        return None


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
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_not_mixed")

    def get_help_text(self):
        return _("密码必须同时包含字母和数字。")


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

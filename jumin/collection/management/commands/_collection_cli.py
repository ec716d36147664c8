"""Shared bits of the collection commands: who acts, printing refused files."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jumin.core.models import User


def acting_user(username: str | None):
    """The staff member named, or None: the system (county-wide, no role check)."""
    if not username:
        return None
    user = User.objects.select_related("region").filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"没有这位工作人员：{username}")
    return user


def fail(error: ValidationError) -> CommandError:
    return CommandError("\n".join(error.messages), returncode=1)

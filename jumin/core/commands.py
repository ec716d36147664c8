"""What every app's management commands share: who acts, a county argument, refusals printed."""

import argparse

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jumin.core.models import User
from jumin.core.parsing import InputError, county_code


def acting_user(username: str | None):
    """The staff member named, or None: the system (county-wide, no role check)."""
    if not username:
        return None
    user = User.objects.select_related("region").filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"没有这位工作人员：{username}")
    return user


def county_argument(value: str) -> str:
    """``--county`` of a command (argparse ``type=``): the six digits of a county, or the
    Chinese reason it is not one."""
    try:
        return county_code(value)
    except InputError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def fail(error: ValidationError) -> CommandError:
    """A refusal of the services, printed one message a line, exit status 1."""
    return CommandError("\n".join(error.messages), returncode=1)

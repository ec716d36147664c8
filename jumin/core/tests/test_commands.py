"""What the management commands share (jumin.core.commands)."""

import argparse

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jumin.core.access import user_county
from jumin.core.commands import acting_user, county_argument, fail
from jumin.core.models import Role
from jumin.testing.factories import StaffFactory


@pytest.mark.parametrize(("given", "county"), [("341125", "341125"), (" 341125100001 ", "341125")])
def test_county_argument_gives_the_county(given, county):
    assert county_argument(given) == county


@pytest.mark.parametrize("given", ["340000", "341100", "34112", "abc", ""])
def test_county_argument_refuses_in_chinese(given):
    with pytest.raises(argparse.ArgumentTypeError, match="县级"):
        county_argument(given)


@pytest.mark.django_db
def test_acting_user_is_the_active_staff_named_or_the_system(tree):
    clerk = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a)
    assert acting_user(None) is None
    assert acting_user(clerk.username) == clerk
    clerk.is_active = False
    clerk.save()
    with pytest.raises(CommandError, match="没有这位工作人员"):
        acting_user(clerk.username)


@pytest.mark.django_db
def test_user_county_is_the_first_six_digits_of_the_region(tree):
    clerk = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a)
    assert user_county(clerk) == tree.township_a.code[:6]
    clerk.region = None
    assert user_county(clerk) == ""


def test_fail_prints_every_message_and_exits_1():
    error = fail(ValidationError(["第一条", "第二条"]))
    assert str(error) == "第一条\n第二条"
    assert error.returncode == 1

"""Fixtures the enrolment tests share: the county's plan of the year, and three pending
enrolments (A1, A2, B1) registered by the county clerk."""

import pytest

from jumin.core.models import Role
from jumin.pension.services import enrolment as services
from jumin.pension.tests.enrolling import adult
from jumin.pension.tests.factories import PlanFactory


@pytest.fixture
def plan(tree):
    return PlanFactory(region=tree.county, year=services.today().year)


@pytest.fixture
def enrolments(tree, staff, plan):
    """A pending enrolment in A1, one in A2, one in B1 (registered by the county clerk)."""
    clerk = staff[Role.COUNTY_CLERK]
    return {
        key: services.enrolment_register(acting_user=clerk, person=adult(village))[0]
        for key, village in (
            ("a1", tree.village_a1),
            ("a2", tree.village_a2),
            ("b1", tree.village_b1),
        )
    }

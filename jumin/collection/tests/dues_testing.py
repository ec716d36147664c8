"""Helpers shared by the dues, withholding and tax-file tests (not a test module)."""

import datetime

from jumin.core.models import Role
from jumin.pension.models import Enrolment, EnrolmentStatus, GradeChoice
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.testing.factories import PersonFactory

YEAR = 2026


def seed_plan(year: int = YEAR, region_code: str = "340000000000", **changes):
    data = {**plan_data_from_file(), **changes}
    plan, _ = plan_seed(actor=None, year=year, region_code=region_code, data=data)
    return plan


def enrol(village, staff, *, status=EnrolmentStatus.PAYING, grade=None, year=YEAR, **person):
    """A person in ``village`` with an enrolment in ``status`` (and a grade chosen for ``year``)."""
    person = PersonFactory(village=village, **person)
    Enrolment.objects.create(
        person=person,
        village=village,
        status=status,
        applied_by=staff[Role.VILLAGE_ASSISTANT],
        registered_on=datetime.date(year - 1, 6, 1),
    )
    if grade is not None:
        GradeChoice.objects.create(
            person=person,
            village=village,
            year=year,
            amount=grade,
            chosen_by=staff[Role.VILLAGE_ASSISTANT],
        )
    return person

"""Builders the core's database-protection test still uses (not a test module); collection's
own tests use ``factories.py`` instead."""

import datetime
from decimal import Decimal

from django.utils import timezone

from jumin.collection.models import (
    Channel,
    DueKind,
    DueStatus,
)
from jumin.core.models import Role
from jumin.pension.models import ContributionDue, Enrolment, EnrolmentStatus
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.testing.factories import PersonFactory

YEAR = 2026


def seed_plan(year: int = YEAR, region_code: str = "340000000000", **changes):
    data = {**plan_data_from_file(), **changes}
    plan, _ = plan_seed(actor=None, year=year, region_code=region_code, data=data)
    return plan


def paying_person(village, staff, *, status=EnrolmentStatus.PAYING, **fields):
    person = PersonFactory(village=village, **fields)
    Enrolment.objects.create(
        person=person,
        village=village,
        status=status,
        applied_by=staff[Role.VILLAGE_ASSISTANT],
        registered_on=datetime.date(YEAR - 1, 6, 1),
    )
    return person


def make_due(
    plan,
    person,
    *,
    amount="200.00",
    kind=DueKind.PERSONAL,
    status=DueStatus.PAID,
    channel=Channel.CASH,
    subsidies=("0", "0", "0"),
    collective="0",
    year=YEAR,
):
    province, city, county = (Decimal(value) for value in subsidies)
    paid = status in (DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)
    return ContributionDue.objects.create_due(
        person=person,
        village=person.village,
        plan=plan,
        year=year,
        kind=kind,
        grade=Decimal(amount),
        amount=Decimal(amount),
        subsidy_province=province,
        subsidy_city=city,
        subsidy_county=county,
        collective_subsidy=Decimal(collective),
        status=status,
        channel=channel if paid else "",
        paid_amount=Decimal(amount) if paid else None,
        paid_on=datetime.date(YEAR, 3, 10) if paid else None,
        confirmed_at=timezone.now() if status == DueStatus.CONFIRMED else None,
    )

"""Fixtures and helpers of the enrolment and financing tests (H4; not a test module)."""

import datetime

import pytest
from django.db.models import F

from jumin.collection.models import Channel, Due, DueStep
from jumin.medical.models import SCHEME, Financing
from jumin.medical.services.financing import financing_copy, financing_seed


@pytest.fixture
def financing(tree):
    """The seeded years 2016–2026 for the county, and 2027 copied from 2026."""
    financing_seed(acting_user=None, region_code=tree.county.code)
    financing_copy(
        acting_user=None,
        financing=Financing.objects.get(region=tree.county, coverage_year=2026),
        coverage_year=2027,
    )
    return Financing.objects.get(region=tree.county, coverage_year=2026)


def pay_cash(person, year: int, on: datetime.date, reference: str = "T-1") -> int:
    """Mark the person's open personal medical dues of ``year`` paid (as a receipt would)."""
    return Due.objects.filter(scheme=SCHEME, person=person, year=year, kind="personal").transition(
        DueStep.CASH_PAID,
        channel=Channel.CASH,
        paid_amount=F("amount"),
        paid_on=on,
        payment_reference=reference,
    )


def medical_dues(person, year: int):
    return Due.objects.filter(scheme=SCHEME, person=person, year=year).order_by("kind")

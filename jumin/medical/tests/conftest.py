"""Fixtures shared by the medical tests: enrolment and financing (H4), claims (H5)."""

import datetime
from decimal import Decimal

import pytest

from jumin.medical.models import HospitalLevel
from jumin.medical.services import claims as services
from jumin.medical.tests.enrolment_testing import financing  # noqa: F401
from jumin.medical.tests.factories import HospitalFactory, MedicalEnrolmentFactory, seed_policy
from jumin.testing.factories import PersonFactory

D = Decimal


@pytest.fixture
def policy(tree):
    return seed_policy(tree.county.code, 2026)


@pytest.fixture
def hospitals(tree):
    return {
        "township": HospitalFactory(
            code="T001", name="定城镇卫生院", level=HospitalLevel.TOWNSHIP, region=tree.township_a
        ),
        "level_2": HospitalFactory(
            code="C002", name="县人民医院", level=HospitalLevel.LEVEL_2, region=tree.county
        ),
        "out": HospitalFactory(
            code="X003",
            name="省立医院",
            level=HospitalLevel.OUT_OF_REGION,
            region=tree.county,
            in_county=False,
        ),
    }


@pytest.fixture
def resident(tree, policy):
    """A person in village A1 covered for 2026 from 1 January."""
    person = PersonFactory(village=tree.village_a1)
    MedicalEnrolmentFactory(person=person, coverage_year=2026)
    return person


@pytest.fixture
def resident_b(tree, policy):
    person = PersonFactory(village=tree.village_b1)
    MedicalEnrolmentFactory(person=person, coverage_year=2026)
    return person


def claim_data(
    person,
    hospital,
    *,
    invoice="INV1",
    kind="inpatient",
    a="3700",
    b="1000",
    own="300",
    admission=datetime.date(2026, 3, 1),
    discharge=datetime.date(2026, 3, 8),
    diagnosis="K35.8",
    special_item="",
):
    lines = [
        services.LineIn(name="甲类", line_class="a", amount=D(a)),
        services.LineIn(name="乙类", line_class="b", amount=D(b)),
        services.LineIn(name="自费", line_class="self", amount=D(own)),
    ]
    return services.ClaimData(
        id_number=person.id_number,
        hospital_code=hospital.code,
        kind=kind,
        invoice_number=invoice,
        admission_date=admission,
        discharge_date=discharge,
        diagnosis=diagnosis,
        total=D(a) + D(b) + D(own),
        lines=lines,
        special_item=special_item,
    )

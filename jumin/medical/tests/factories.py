"""Factories of the medical app (hospitals, policies, enrolments, claims)."""

import datetime

import factory

from jumin.medical.models import CoverageStatus, Hospital, HospitalLevel, MedicalEnrolment
from jumin.medical.services import policy as policy_services
from jumin.testing.factories import StaffFactory


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"H{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}卫生院")
    level = HospitalLevel.TOWNSHIP
    region = None
    in_county = True


class MedicalEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalEnrolment

    person = None
    village = factory.LazyAttribute(lambda o: o.person.village)
    coverage_year = 2026
    status = CoverageStatus.COVERED
    enrolled_on = datetime.date(2025, 10, 1)
    covered_from = factory.LazyAttribute(lambda o: datetime.date(o.coverage_year, 1, 1))
    created_by = factory.SubFactory(StaffFactory)


def seed_policy(region_code: str = "341125000000", year: int = 2026):
    policy, _created = policy_services.policy_seed(coverage_year=year, region_code=region_code)
    return policy

"""The benefit parameters as data and the pure benefit rules (EXAMPLES E1, E2)."""

import datetime
from decimal import Decimal

import pytest

from jumin.pension import rules
from jumin.pension.models import Award, BenefitStandard, InterestRate
from jumin.pension.tests.factories import (
    AwardFactory,
    BenefitStandardFactory,
    InterestRateFactory,
)
from jumin.testing.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_e1_account_pension_is_the_balance_over_139_to_the_fen():
    assert rules.account_pension(Decimal("9342.00"), 139) == Decimal("67.21")
    assert rules.account_pension(Decimal("0.00"), 139) == Decimal("0.00")


def test_e1_with_the_2025_central_minimum_only():
    standard = BenefitStandard(
        central_minimum=Decimal("143"),
        local_top_up=Decimal("0"),
        extra_per_year=Decimal("0"),
        extra_after_years=15,
    )
    assert rules.basic_pension(standard, 15) + rules.account_pension(
        Decimal("9342.00"), 139
    ) == Decimal("210.21")


def test_the_long_contribution_extra_counts_years_beyond_the_threshold():
    standard = BenefitStandard(
        central_minimum=Decimal("163"),
        local_top_up=Decimal("20"),
        extra_per_year=Decimal("2"),
        extra_after_years=15,
    )
    assert rules.basic_pension(standard, 15) == Decimal("183.00")
    assert rules.basic_pension(standard, 20) == Decimal("193.00")


def test_e2_the_standard_in_force_by_date_and_the_nearest_region():
    BenefitStandardFactory(effective_from=datetime.date(2025, 1, 1), central_minimum=Decimal("143"))
    BenefitStandardFactory(effective_from=datetime.date(2026, 1, 1), central_minimum=Decimal("163"))
    county = RegionFactory(code="341125000000", name="定远县")
    county_row = BenefitStandardFactory(
        region=county, effective_from=datetime.date(2026, 1, 1), local_top_up=Decimal("10")
    )
    code = "341125100001"
    province_2025 = BenefitStandard.objects.in_force(
        region_code="340100000001", on=datetime.date(2025, 6, 1)
    )
    assert province_2025.central_minimum == Decimal("143")
    assert (
        BenefitStandard.objects.in_force(region_code=code, on=datetime.date(2026, 2, 1))
        == county_row
    )
    assert BenefitStandard.objects.in_force(region_code=code, on=datetime.date(2024, 2, 1)) is None


def test_the_divisor_by_age():
    standard = BenefitStandardFactory()
    assert standard.divisor(60) == 139
    assert standard.divisor(61) == 132
    assert standard.divisor(75) == 56


def test_the_rate_of_the_year_and_one_person_holds_one_award(tree):
    InterestRateFactory(year=2025)
    assert InterestRate.objects.in_force(region_code="341125100001", year=2025).rate == Decimal(
        "0.015"
    )
    award = AwardFactory(village=tree.village_a1)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AwardFactory(person=award.person)
    assert Award.objects.count() == 1

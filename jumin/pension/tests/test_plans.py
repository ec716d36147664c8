from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jumin.core.models import AuditEntry
from jumin.pension.models import ContributionPlan, GovernmentPaidRule
from jumin.pension.services import plan_data_from_file, plan_seed


def test_seed_plans_creates_the_default_plan_once(tree):
    call_command("seed_plans", year=2026, region="340000000000")
    call_command("seed_plans", year=2026, region="340000000000")
    plan = ContributionPlan.objects.get()
    assert plan.grades.count() == 12
    assert plan.lowest_grade_subsidy_floor == Decimal("30")
    assert list(plan.government_paid_rules.values_list("precedence", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert AuditEntry.objects.filter(action="pension.plan_create").count() == 1


def test_seed_plans_refuses_unknown_region(tree):
    with pytest.raises(CommandError, match="999900000000"):
        call_command("seed_plans", year=2026, region="999900000000")
    assert not ContributionPlan.objects.exists()


def test_invalid_plan_is_refused_with_nothing_written(tree):
    data = plan_data_from_file()
    data["grades"][0]["subsidy_county"] = "0"
    with pytest.raises(ValidationError, match="最低档"):
        plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    assert not ContributionPlan.objects.exists()
    assert not GovernmentPaidRule.objects.exists()


def test_county_plan_overrides_city_and_province(tree):
    data = plan_data_from_file()
    province, _ = plan_seed(actor=None, year=2026, region_code="340000000000", data=data)
    village = tree.village_a1.code
    assert ContributionPlan.objects.in_force(region_code=village, year=2026) == province
    city, _ = plan_seed(actor=None, year=2026, region_code="341100000000", data=data)
    assert ContributionPlan.objects.in_force(region_code=village, year=2026) == city
    county, _ = plan_seed(actor=None, year=2026, region_code="341125000000", data=data)
    assert ContributionPlan.objects.in_force(region_code=village, year=2026) == county
    assert ContributionPlan.objects.in_force(region_code=village, year=2027) is None
    other_province = "350000000000"
    assert ContributionPlan.objects.in_force(region_code=other_province, year=2026) is None

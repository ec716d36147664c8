"""The claims demo: every layer is exercised, and a second run adds nothing."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from jumin.medical.demo_claims import demo_medical_claims
from jumin.medical.models import Claim, Settlement
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import PersonFactory, SpecialStatusFactory

pytestmark = pytest.mark.django_db


def test_demo_claims_twice_adds_nothing_and_every_layer_pays(tree, staff):
    villages = [tree.village_a1, tree.village_a2, tree.village_b1, tree.village_b2]
    persons = [PersonFactory(village=villages[n % 4]) for n in range(400)]
    for person in persons[:80]:
        SpecialStatusFactory(
            person=person, kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE, detail="full"
        )
    notes = []
    made = demo_medical_claims(county=tree.county, year=2026, seed=7, staff=None, notes=notes)
    assert made > 100 and notes
    rows = Settlement.objects.count()
    assert demo_medical_claims(county=tree.county, year=2026, seed=7, staff=None, notes=notes) == 0
    assert Settlement.objects.count() == rows
    totals = Settlement.objects.aggregate(
        b=Sum("basic"), c=Sum("critical_illness"), a=Sum("assistance")
    )
    assert totals["b"] > 0 and totals["a"] > 0
    assert set(Claim.objects.values_list("kind", flat=True)) >= {"inpatient", "outpatient_pooling"}
    assert all(value >= Decimal("0") for value in totals.values())

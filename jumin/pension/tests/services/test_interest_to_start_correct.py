"""A crediting rate corrected after part-year interest was credited at benefit starts: the
correction reverses and credits that interest again (the corrected year's rate, and the later
years' changed opening balances), set-based, once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.core.models import AuditEntry, Role
from jumin.pension.models import AccountEntry, EntrySource, InterestKind, InterestRate, InterestRun
from jumin.pension.services.interest import (
    interest_correct,
    interest_credit,
    interest_to_start,
    redo_to_start,
)
from jumin.pension.tests.factories import AccountEntryFactory, InterestRateFactory
from jumin.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
COUNTY = "341125"


def balance(person) -> Decimal:
    return AccountEntry.objects.filter(person=person).balance()


def with_1000(village):
    person = PersonFactory(village=village)
    AccountEntryFactory(
        person=person, year=2023, amount=Decimal("1000"), booked_on=datetime.date(2023, 5, 1)
    )
    return person


def to_start_entries(person):
    return list(
        AccountEntry.objects.filter(person=person, interest_run__kind=InterestKind.TO_START)
        .order_by("pk")
        .values_list("amount", flat=True)
    )


def test_a_corrected_rate_redoes_the_part_year_interest(tree, staff):
    InterestRateFactory(year=2024)
    InterestRateFactory(year=2025)
    started_2024 = with_1000(tree.village_a1)  # pension from July 2024
    started_2025 = with_1000(tree.village_b1)  # pension from April 2025
    other = with_1000(tree.village_a2)
    interest_to_start(acting_user=None, person=started_2024, start_month=datetime.date(2024, 7, 1))
    interest_credit(acting_user=None, region_code=COUNTY, year=2024)
    interest_to_start(acting_user=None, person=started_2025, start_month=datetime.date(2025, 4, 1))
    interest_credit(acting_user=None, region_code=COUNTY, year=2025)
    assert to_start_entries(started_2024) == [Decimal("7.50")]  # 6 months of 1.5 % on 1 000
    assert to_start_entries(started_2025) == [Decimal("3.81")]  # 3 months on 1 015.00
    assert balance(started_2024) == Decimal("1022.61")  # + 7.50 + 2025's 15.11
    InterestRate.objects.filter(year=2024).update(rate=Decimal("0.02"))
    interest_correct(
        acting_user=staff[Role.COUNTY_ADMIN], region_code=COUNTY, year=2024, reason="省厅更正"
    )
    # 2024: 10.00 to the July start; 2025 year-end on 1 010.00: 15.15
    assert to_start_entries(started_2024) == [Decimal("7.50"), Decimal("-7.50"), Decimal("10.00")]
    assert balance(started_2024) == Decimal("1025.15")
    # 2024's year-end now 20.00: April 2025's part year on 1 020.00 is 3.83 (3.825 half-up)
    assert to_start_entries(started_2025) == [Decimal("3.81"), Decimal("-3.81"), Decimal("3.83")]
    assert balance(started_2025) == Decimal("1023.83")
    assert balance(other) == Decimal("1035.30")
    reversals = AccountEntry.objects.filter(
        reverses__isnull=False, interest_run__kind=InterestKind.TO_START
    )
    assert all(entry.reason for entry in reversals) and reversals.count() == 2
    rounds = InterestRun.objects.filter(kind=InterestKind.TO_START).order_by("year", "round")
    assert [(r.year, r.round, r.entry_count, r.amount_sum) for r in rounds] == [
        (2024, 1, 1, Decimal("7.50")),
        (2024, 2, 1, Decimal("10.00")),
        (2025, 1, 1, Decimal("3.81")),
        (2025, 2, 1, Decimal("3.83")),
    ]
    # done once: again nothing changes
    county = tree.county
    assert redo_to_start(acting_user=None, county=county, year=2024, reason="再算") is None
    assert redo_to_start(acting_user=None, county=county, year=2025, reason="再算") is None
    assert AuditEntry.objects.filter(action="pension.interest.correct").count() == 4


def test_a_rate_corrected_before_the_year_end_redoes_only_the_starts(tree, staff):
    InterestRateFactory(year=2026)
    person = with_1000(tree.village_a1)
    interest_to_start(acting_user=None, person=person, start_month=datetime.date(2026, 7, 1))
    InterestRate.objects.filter(year=2026).update(rate=Decimal("0.02"))
    with pytest.raises(ValidationError, match="利率更正"):
        interest_credit(acting_user=None, region_code=COUNTY, year=2026)
    runs = interest_correct(
        acting_user=staff[Role.COUNTY_ADMIN], region_code=COUNTY, year=2026, reason="更正"
    )
    assert runs == []
    assert to_start_entries(person) == [Decimal("7.50"), Decimal("-7.50"), Decimal("10.00")]
    interest_credit(acting_user=None, region_code=COUNTY, year=2026)  # now allowed: none for him
    assert (
        AccountEntry.objects.filter(
            person=person, source=EntrySource.INTEREST, interest_run__kind="year_end"
        ).count()
        == 0
    )


def test_the_redo_is_set_based(tree):
    InterestRateFactory(year=2026)
    people = [with_1000(v) for v in (tree.village_a1, tree.village_b1) * 10]
    for person in people:
        interest_to_start(acting_user=None, person=person, start_month=datetime.date(2026, 7, 1))
    InterestRate.objects.filter(year=2026).update(rate=Decimal("0.02"))
    with CaptureQueriesContext(connection) as queries:
        run = redo_to_start(acting_user=None, county=tree.county, year=2026, reason="更正")
    assert run.entry_count == 20 and run.amount_sum == Decimal("200.00")
    assert len(queries) < 20  # not one per person

"""Settlements debit the pooled fund: set-based, idempotent, reversals net, the balance is
premiums less basic payments; critical illness and assistance are booked apart."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.medical.models import FundEntry, FundSource, Settlement
from jumin.medical.queries.fund import fund_balance
from jumin.medical.services import claims as services
from jumin.medical.services.fund import post_confirmed
from jumin.medical.services.fund_claims import post_settlements
from jumin.medical.tests.conftest import claim_data
from jumin.medical.tests.services import test_fund
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import SpecialStatusFactory

D = Decimal
confirmed = test_fund.confirmed  # three residents whose 2026 premiums are confirmed: 3 372.00
pytestmark = pytest.mark.django_db


def _entries(**filters):
    return FundEntry.objects.filter(settlement__isnull=False, **filters)


def test_posting_debits_basic_and_a_second_run_adds_nothing(staff, hospitals, policy, confirmed):
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    person = confirmed[0]
    claim, _ = services.claim_submit(
        acting_user=staff[Role.COUNTY_CLERK], data=claim_data(person, hospitals["township"])
    )
    finance = staff[Role.FINANCE]
    posting = post_settlements(acting_user=finance, region_code="341125", coverage_year=2026)
    [entry] = _entries()
    assert (entry.scheme, entry.source, entry.amount) == (
        "medical",
        FundSource.CLAIM,
        D("-3825.00"),
    )
    assert entry.region_id == "341125000000" and entry.coverage_year == 2026
    assert (posting.settlement_count, posting.entry_count, posting.amount_sum) == (
        1,
        1,
        D("-3825.00"),
    )
    again = post_settlements(acting_user=finance, region_code="341125", coverage_year=2026)
    assert (again.settlement_count, again.entry_count) == (0, 0)
    assert _entries().count() == 1
    assert AuditEntry.objects.filter(action="medical.fund.post_settlements").count() == 2
    [year] = fund_balance(staff[Role.LEADER], coverage_year=2026)
    assert year["balance"] == D("3372.00") - D("3825.00")
    assert claim.pk == entry.settlement.claim_id


def test_a_resettled_claim_reverses_and_nets_to_its_new_settlement(
    staff, hospitals, policy, confirmed
):
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    person = confirmed[0]
    clerk = staff[Role.COUNTY_CLERK]
    later, _ = services.claim_submit(
        acting_user=clerk,
        data=claim_data(
            person,
            hospitals["township"],
            invoice="L",
            admission=datetime.date(2026, 6, 1),
            discharge=datetime.date(2026, 6, 5),
        ),
    )
    post_settlements(acting_user=None, region_code="341125", coverage_year=2026)
    assert _entries().aggregate(s=Sum("amount"))["s"] == D("-3825.00")
    # an earlier stay arrives: the June stay becomes the second admission and is re-settled
    services.claim_submit(acting_user=clerk, data=claim_data(person, hospitals["township"]))
    posting = post_settlements(acting_user=None, region_code="341125", coverage_year=2026)
    assert posting.settlement_count == 3  # the reversal, the June stay again, the March stay
    reversal = _entries(source=FundSource.REVERSAL).get()
    first = _entries(settlement__claim=later, source=FundSource.CLAIM).order_by("pk").first()
    assert reversal.amount == D("3825.00") and reversal.reverses_id == first.pk
    assert reversal.reason == "新补偿"
    basic = Settlement.objects.filter(coverage_year=2026).aggregate(s=Sum("basic"))["s"]
    assert basic == D("3825.00") + D("3867.50")
    assert _entries(scheme="medical").aggregate(s=Sum("amount"))["s"] == -basic
    [year] = fund_balance(staff[Role.AUDITOR], coverage_year=2026)
    premiums = sum(
        FundEntry.objects.filter(
            scheme="medical", source__in=["premium", "subsidy", "assistance"]
        ).values_list("amount", flat=True)
    )
    assert year["balance"] == premiums - basic == D("3372.00") - basic
    assert (
        post_settlements(acting_user=None, region_code="341125", coverage_year=2026).entry_count
        == 0
    )


def test_critical_illness_and_assistance_are_booked_under_their_own_schemes(
    staff,
    hospitals,
    policy,
    confirmed,
):
    person = confirmed[1]
    SpecialStatusFactory(
        person=person,
        kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE,
        valid_from=datetime.date(2025, 1, 1),
    )
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    claim, _ = services.claim_submit(
        acting_user=staff[Role.COUNTY_CLERK],
        data=claim_data(person, hospitals["level_2"], a="60000", b="20000", own="5000"),
    )
    row = Settlement.objects.get(claim=claim)
    assert row.critical_illness > 0 and row.assistance > 0
    post_settlements(acting_user=None, region_code="341125", coverage_year=2026)
    by_scheme = dict(_entries().values_list("scheme", "amount"))
    assert by_scheme == {
        "medical": -row.basic,
        "critical_illness": -row.critical_illness,
        "medical_assistance": -row.assistance,
    }
    [year] = fund_balance(staff[Role.LEADER], coverage_year=2026)
    assert year["balance"] == D("3372.00") - row.basic  # the pool pays only the basic part


@pytest.mark.parametrize(
    "role",
    [Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT, Role.AUDITOR, Role.LEADER],
)
def test_only_finance_and_the_county_admin_post_settlements(
    staff, hospitals, policy, confirmed, role
):
    post_confirmed(acting_user=None, region_code="341125", coverage_year=2026)
    services.claim_submit(
        acting_user=staff[Role.COUNTY_CLERK], data=claim_data(confirmed[0], hospitals["township"])
    )
    with pytest.raises(PermissionDeniedForRole):
        post_settlements(acting_user=staff[role], region_code="341125", coverage_year=2026)
    assert not _entries().exists()

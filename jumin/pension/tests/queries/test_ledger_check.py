"""``jumin check-ledger``: dues whose ledger entries do not match them."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.collection.models import DueStatus
from jumin.core.models import Role
from jumin.pension.models import AccountEntry
from jumin.pension.queries.ledger_check import ledger_check
from jumin.pension.services import accounts
from jumin.pension.services.posting import post_confirmed
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PensionDueFactory, PlanFactory


@pytest.fixture
def plan(db):
    return PlanFactory()


def entry(due, source, amount):
    return AccountEntry.objects.create(
        person=due.person,
        village=due.village,
        year=due.year,
        source=source,
        amount=Decimal(amount),
        due=due,
    )


def check_ledger(*args) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("check_ledger", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def test_posted_reversed_and_corrected_dues_are_in_order(tree, staff, plan):
    """A whole posted due, a due reversed and cancelled, and a posted due with one entry
    reversed on its own (a correction on the record) are all in order."""
    corrected = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a2).person,
        subsidy_province="30.00",
        subsidy_city="0",
        subsidy_county="0",
        status=DueStatus.CONFIRMED,
    )
    kept = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        subsidy_province="30.00",
        subsidy_city="0",
        subsidy_county="5.50",
        status=DueStatus.CONFIRMED,
    )
    reversed_ = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_b1).person,
        status=DueStatus.CONFIRMED,
    )
    post_confirmed(acting_user=staff[Role.FINANCE], region_code="341125", year=YEAR)
    reversed_.refresh_from_db()
    accounts.due_reverse(acting_user=staff[Role.FINANCE], due=reversed_, reason="重复缴费")
    subsidy = AccountEntry.objects.get(due=corrected, source="subsidy_province")
    accounts.entry_reverse(acting_user=staff[Role.FINANCE], entry=subsidy, reason="不应享受补贴")
    PensionDueFactory(
        plan=plan, person=EnrolmentFactory(village=tree.village_a2).person, status=DueStatus.OPEN
    )
    assert AccountEntry.objects.filter(due=kept).count() == 3
    result = ledger_check(county_prefix="341125", year=YEAR)
    assert result.ok and result.count == 0 and result.difference_sum == 0
    output, code = check_ledger("--county", "341125", "--year", str(YEAR))
    assert code == 0 and "没有发现问题" in output


def test_every_kind_of_mismatch_is_found_in_one_query(tree, staff, plan):
    # posted with only its subsidy: the contribution was lost (the race of a confirmation during a posting chunk)
    partial = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        amount="300.00",
        subsidy_province="30.00",
        subsidy_city="0",
        subsidy_county="0",
        status=DueStatus.POSTED,
    )
    entry(partial, "subsidy_province", "30.00")
    # posted with no entry at all
    empty = PensionDueFactory(
        plan=plan, person=EnrolmentFactory(village=tree.village_a1).person, status=DueStatus.POSTED
    )
    # cancelled but one entry never reversed
    cancelled = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_b1).person,
        status=DueStatus.CANCELLED,
    )
    entry(cancelled, "personal", "200.00")
    # confirmed (not posted) yet already in the ledger
    early = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_b1).person,
        status=DueStatus.CONFIRMED,
    )
    entry(early, "personal", "200.00")
    # posted and whole: not reported
    whole = PensionDueFactory(
        plan=plan, person=EnrolmentFactory(village=tree.village_a2).person, status=DueStatus.POSTED
    )
    entry(whole, "personal", "200.00")

    with CaptureQueriesContext(connection) as queries:
        result = ledger_check(county_prefix="341125", year=YEAR, limit=3)
    assert len(queries) == 1
    assert result.count == 4
    assert result.difference_sum == Decimal("-300.00") - Decimal("200.00") + 200 + 200
    assert [problem.due_id for problem in result.problems] == [partial.pk, empty.pk, cancelled.pk]
    first = result.problems[0]
    assert (first.owed, first.found, first.difference) == (
        Decimal("330.00"),
        Decimal("30.00"),
        Decimal("-300.00"),
    )
    assert "应记 330.00 元，实记 30.00 元" in first.description
    everything = ledger_check()
    assert [problem.due_id for problem in everything.problems] == [
        partial.pk,
        empty.pk,
        cancelled.pk,
        early.pk,
    ]
    assert "未记账" in everything.problems[3].description

    output, code = check_ledger("--county", "341125", "--year", str(YEAR), "--limit", "2")
    assert code == 1
    assert "发现 4 笔应缴与个人账户不符，差额合计 -100.00 元" in output
    assert f"{partial.pk}\t{partial.person_id}\t{tree.village_a1.code}" in output
    assert "另有 2 笔未列出" in output and "个人账户核对发现 4 笔问题" in output


def test_other_years_and_counties_are_left_out(tree, staff, plan):
    partial = PensionDueFactory(
        plan=plan, person=EnrolmentFactory(village=tree.village_a1).person, status=DueStatus.POSTED
    )
    assert ledger_check(year=YEAR).count == 1 and partial
    assert ledger_check(year=YEAR + 1).ok
    assert ledger_check(county_prefix="341126").ok
    output, code = check_ledger("--year", str(YEAR + 1))
    assert code == 0
    output, code = check_ledger("--county", "999999")
    assert code != 0 and "县级区划代码" in output

"""The personal-account ledger: balances, reversals and the append-only guards."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import Http404

from jumin.collection.models import DueStatus
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import AccountEntry
from jumin.pension.queries.accounts import account_summary
from jumin.pension.services.accounts import due_reverse, entry_reverse
from jumin.pension.services.posting import post_confirmed
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PensionDueFactory, PlanFactory


@pytest.fixture
def posted(tree, staff):
    plan = PlanFactory()
    person = EnrolmentFactory(village=tree.village_a1).person
    due = PensionDueFactory(
        plan=plan,
        person=person,
        subsidy_province="30.00",
        subsidy_city="10.00",
        subsidy_county="5.00",
        status=DueStatus.CONFIRMED,
    )
    older = PensionDueFactory(
        plan=plan, person=person, amount="100.00", year=YEAR - 1, status=DueStatus.CONFIRMED
    )
    post_confirmed(acting_user=None, region_code="341125", year=YEAR)
    post_confirmed(acting_user=None, region_code="341125", year=YEAR - 1)
    due.refresh_from_db()
    older.refresh_from_db()
    return {"person": person, "due": due, "older": older}


def test_summary_by_source_and_year(staff, posted):
    summary = account_summary(staff[Role.VILLAGE_ASSISTANT], posted["person"])
    assert len(summary["entries"]) == 5
    assert summary["by_source"] == {
        "personal": Decimal("300.00"),
        "subsidy_province": Decimal("30.00"),
        "subsidy_city": Decimal("10.00"),
        "subsidy_county": Decimal("5.00"),
    }
    assert summary["by_year"][YEAR]["total"] == Decimal("245.00")
    assert summary["by_year"][YEAR - 1] == {
        "total": Decimal("100.00"),
        "personal": Decimal("100.00"),
    }
    assert summary["balance"] == Decimal("345.00")


def test_summary_is_scoped(tree, staff, posted):
    from jumin.testing.factories import StaffFactory

    other = StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_b1)
    with pytest.raises(Http404):
        account_summary(other, posted["person"])


def test_entry_reverse(staff, posted):
    entry = AccountEntry.objects.get(due=posted["due"], source="personal")
    with pytest.raises(ValidationError) as error:
        entry_reverse(acting_user=staff[Role.FINANCE], entry=entry, reason="  ")
    assert "冲正原因" in error.value.messages[0]
    reversal = entry_reverse(acting_user=staff[Role.FINANCE], entry=entry, reason="档次录错")
    assert reversal.amount == Decimal("-200.00") and reversal.reverses == entry
    assert reversal.source == entry.source and reversal.due == entry.due
    assert reversal.reason == "档次录错" and reversal.created_by == staff[Role.FINANCE]
    with pytest.raises(ValidationError) as error:
        entry_reverse(acting_user=staff[Role.FINANCE], entry=entry, reason="again")
    assert "已经冲正过" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        entry_reverse(acting_user=staff[Role.FINANCE], entry=reversal, reason="again")
    assert "本身是冲正记录" in error.value.messages[0]
    audit = AuditEntry.objects.get(action="pension.account_entry.reverse")
    assert audit.reason == "档次录错" and audit.after["reverses"] == entry.pk
    summary = account_summary(staff[Role.FINANCE], posted["person"])
    assert summary["by_source"]["personal"] == Decimal("100.00")


@pytest.mark.parametrize(
    "role",
    [
        Role.COUNTY_ADMIN,
        Role.COUNTY_CLERK,
        Role.AUDITOR,
        Role.TOWNSHIP_CLERK,
        Role.VILLAGE_ASSISTANT,
    ],
)
def test_only_finance_reverses(staff, posted, role):
    entry = AccountEntry.objects.filter(due=posted["due"]).first()
    with pytest.raises(PermissionDeniedForRole):
        entry_reverse(acting_user=staff[role], entry=entry, reason="x")


def test_due_reverse_cancels_the_due(staff, posted):
    due = posted["due"]
    entry = AccountEntry.objects.get(due=due, source="subsidy_city")
    entry_reverse(acting_user=staff[Role.FINANCE], entry=entry, reason="市级补贴录错")
    reversals = due_reverse(acting_user=staff[Role.FINANCE], due=due, reason="重复收费，退款")
    assert len(reversals) == 3  # personal, province, county; the city one was reversed already
    assert AccountEntry.objects.filter(due=due).balance() == Decimal("0.00")
    due.refresh_from_db()
    assert due.status == DueStatus.CANCELLED
    audit = AuditEntry.objects.get(action="pension.due.reverse")
    assert audit.after["amount"] == "-235.00"
    with pytest.raises(ValidationError) as error:
        due_reverse(acting_user=staff[Role.FINANCE], due=due, reason="again")
    assert "只有已记账的才能冲正" in error.value.messages[0]
    # the year may be collected again: a new due for the same person, year and kind
    PensionDueFactory(plan=due.contribution.plan, person=due.person, status=DueStatus.OPEN)


def test_the_ledger_is_append_only(posted):
    entry = AccountEntry.objects.filter(due=posted["due"]).first()
    entry.amount = Decimal("1.00")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccountEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(PermissionError):
        AccountEntry.objects.filter(pk=entry.pk).delete()
    table = AccountEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET amount = 1 WHERE id = %s", [entry.pk])


def test_a_reversal_needs_a_reason_in_the_database(posted):
    entry = AccountEntry.objects.filter(due=posted["due"]).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountEntry.objects.create(
            person=entry.person,
            village=entry.village,
            year=entry.year,
            source=entry.source,
            amount=-entry.amount,
            reverses=entry,
        )

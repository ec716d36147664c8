"""Two of the same act at the same moment, on two real PostgreSQL connections (the
reliability checks): exactly one effect, and the other caller gets a clear answer."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jumin.collection.models import Due, DueStatus, Receipt
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.factories import YEAR
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import AccountEntry, Enrolment, EnrolmentEvent, EnrolmentStatus, Posting
from jumin.pension.queries.ledger_check import ledger_check
from jumin.pension.registry import PensionAction
from jumin.pension.services import posting as posting_module
from jumin.pension.services.enrolment import enrolment_approve
from jumin.pension.tests.factories import EnrolmentFactory, PensionDueFactory, PlanFactory
from jumin.testing.concurrency import postgres_only, run_together
from jumin.testing.factories import PersonFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

chain = receipt_testing.chain  # fixture
MARCH_10 = datetime.date(YEAR, 3, 10)


def values_and_errors(outcomes):
    values = [outcome["value"] for outcome in outcomes if "value" in outcome]
    errors = [outcome["error"] for outcome in outcomes if "error" in outcome]
    return values, errors


APPROVED_ACTION = {
    "township_approve": PensionAction.ENROLMENT_APPROVE_TOWNSHIP,
    "county_approve": PensionAction.ENROLMENT_APPROVE_COUNTY,
}


@pytest.mark.parametrize("chunk", [4, 10_000])
def test_two_posting_runs_started_together_post_once(tree, staff, monkeypatch, chunk):
    monkeypatch.setattr(posting_module, "CHUNK", chunk)
    plan = PlanFactory()
    dues = [
        PensionDueFactory(
            plan=plan,
            person=EnrolmentFactory(
                village=tree.village_a1 if index % 2 else tree.village_b2
            ).person,
            status=DueStatus.CONFIRMED,
            subsidy_province="30.00",
            subsidy_city="10.00",
            collective_subsidy="5.00",
        )
        for index in range(10)
    ]

    def post():
        return posting_module.post_confirmed(
            acting_user=staff[Role.FINANCE], region_code="341125", year=YEAR
        )

    values, errors = values_and_errors(run_together(post, post))
    assert not errors, errors
    assert sum(run.due_count for run in values) == 10
    assert sum(run.entry_count for run in values) == 40
    assert sum(run.amount_sum for run in values) == 10 * Decimal("245.00")
    assert AccountEntry.objects.count() == 40
    assert AccountEntry.objects.balance() == 10 * Decimal("245.00")
    assert (
        Due.objects.filter(pk__in=[due.pk for due in dues], status=DueStatus.POSTED).count() == 10
    )
    assert ledger_check().ok
    # each run's row counts what it wrote itself
    for run in Posting.objects.all():
        assert AccountEntry.objects.filter(posting=run).count() == run.entry_count


@pytest.mark.parametrize("same_number", [False, True])
def test_two_receipts_for_one_due_at_once_make_one_payment(tree, chain, same_number):
    plan = PlanFactory()
    assistant = chain["assistant"]
    book = receipt_testing.hand_down(receipt_testing.register(chain["finance"], 1, 10), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)

    def issue(number):
        return lambda: receipt_testing.issue(book, assistant, due, number=number, on=MARCH_10)

    with time_machine.travel(datetime.datetime(YEAR, 3, 12, 10, 0), tick=True):
        outcomes = run_together(issue(1), issue(1 if same_number else 2))
    values, errors = values_and_errors(outcomes)
    assert Receipt.objects.filter(due=due).count() == 1
    receipt = Receipt.objects.get(due=due)
    due.refresh_from_db()
    assert due.status == DueStatus.PAID and due.paid_amount == Decimal("200.00")
    assert due.payment_reference == f"{receipt.series}-{receipt.number}"
    assert AuditEntry.objects.filter(action="collection.receipt.issue").count() == 1
    if same_number:  # a double click: both callers get the one receipt
        assert not errors and [value.pk for value in values] == [receipt.pk, receipt.pk]
    else:
        assert [value.pk for value in values] == [receipt.pk]
        assert len(errors) == 1 and isinstance(errors[0], ValidationError)
        assert "不能再开票" in " ".join(errors[0].messages)


@pytest.mark.parametrize(
    "status, approver, action",
    [
        (EnrolmentStatus.PENDING_TOWNSHIP, Role.TOWNSHIP_CLERK, "township_approve"),
        (EnrolmentStatus.PENDING_COUNTY, Role.COUNTY_CLERK, "county_approve"),
    ],
)
def test_two_approvals_of_one_enrolment_at_once_make_one_transition(
    tree, staff, status, approver, action
):
    PlanFactory()
    person = PersonFactory(village=tree.village_a1)
    enrolment = Enrolment.objects.create(
        person=person,
        village=tree.village_a1,
        status=status,
        applied_by=staff[Role.VILLAGE_ASSISTANT],
        applied_on=datetime.date(YEAR, 2, 1),
    )

    def approve():
        return enrolment_approve(acting_user=staff[approver], enrolment=enrolment)

    with time_machine.travel(datetime.datetime(YEAR, 3, 12, 10, 0), tick=True):
        values, errors = values_and_errors(run_together(approve, approve))
    assert len(values) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "不能" in " ".join(errors[0].messages)
    enrolment.refresh_from_db()
    expected = {
        EnrolmentStatus.PENDING_TOWNSHIP: EnrolmentStatus.PENDING_COUNTY,
        EnrolmentStatus.PENDING_COUNTY: EnrolmentStatus.PAYING,
    }[status]
    assert enrolment.status == expected
    assert EnrolmentEvent.objects.filter(enrolment=enrolment).count() == 1
    assert AuditEntry.objects.filter(action=APPROVED_ACTION[action]).count() == 1

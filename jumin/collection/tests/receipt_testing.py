"""The receipt-book chain of staff and the service calls the receipt-book, deposit and overdue
tests drive (not a test module; rows without a service behind them come from the factories)."""

import datetime

import pytest

from jumin.collection.services import deposits
from jumin.collection.services import receipts as services
from jumin.core.models import Role
from jumin.pension.tests.factories import PlanFactory
from jumin.testing.factories import StaffFactory

YEAR = 2026


@pytest.fixture
def chain(tree, staff):
    """County finance, a township finance office and labour office in A, a village assistant."""
    return {
        "finance": staff[Role.FINANCE],
        "township_finance": StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a),
        "labour_office": staff[Role.TOWNSHIP_CLERK],
        "assistant": staff[Role.VILLAGE_ASSISTANT],
    }


@pytest.fixture
def plan(db):
    return PlanFactory(year=YEAR)


def register(user, first=1, last=3, series="皖A"):
    return services.book_register(
        acting_user=user, series=series, first_number=first, last_number=last
    )


def hand_down(book, chain):
    path = ["finance", "township_finance", "labour_office", "assistant"]
    for giver, receiver in zip(path, path[1:], strict=False):
        services.book_handover(acting_user=chain[giver], book=book, receiver=chain[receiver])
    book.refresh_from_db()
    return book


def issue(book, user, due, number=1, amount=None, on=None, payer_name=""):
    return services.receipt_issue(
        acting_user=user,
        book=book,
        number=number,
        due=due,
        amount=due.amount if amount is None else amount,
        payer_name=payer_name,
        issued_on=on,
    )


def record(user, village, receipts, *, slip="S1", on=datetime.date(2026, 3, 20), amount=None):
    return deposits.deposit_record(
        acting_user=user,
        village=village,
        bank="农商行",
        slip_number=slip,
        deposited_on=on,
        amount=sum(r.amount for r in receipts) if amount is None else amount,
        depositor_name="王会计",
        receipt_ids=[r.pk for r in receipts],
    )

"""``DueQuerySet.transition`` tells each scheme of the dues a paying step paid (``on_paid``),
in the step's transaction: exactly those dues, once, and only for the steps that pay."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F

from jumin.collection import schemes
from jumin.collection.models import Due, DueKind, DueStatus, DueStep
from jumin.collection.models import dues as dues_module
from jumin.collection.rules import PAYING_STEPS
from jumin.testing.factories import PersonFactory

DAY = datetime.date(2026, 3, 1)


class Told(Exception):
    pass


@pytest.fixture
def heard(monkeypatch):
    """A scheme "sample" that records what it is told, next to one that declares nothing."""
    told: list[list[int]] = []
    sample = schemes.CollectionScheme(
        code="sample",
        label="样例险种",
        bank_payers=lambda dues: dues,
        roster=lambda persons: persons,
        on_paid=lambda dues: told.append(sorted(dues.values_list("pk", flat=True))),
    )
    silent = schemes.CollectionScheme(
        code="silent", label="无钩子", bank_payers=lambda d: d, roster=lambda p: p
    )
    monkeypatch.setattr(schemes, "schemes", lambda: {"sample": sample, "silent": silent})
    return told


def make(tree, scheme, count=1):
    return [
        Due.objects.create(
            person=PersonFactory(village=tree.village_a1),
            village=tree.village_a1,
            scheme=scheme,
            year=2026,
            kind=DueKind.PERSONAL,
            amount=Decimal("100.00"),
        )
        for _ in range(count)
    ]


def pay(queryset, step=DueStep.CASH_PAID):
    return queryset.transition(
        step, channel="cash", paid_amount=F("amount"), paid_on=DAY, payment_reference="R1"
    )


def test_the_paying_steps_are_the_ones_into_paid_from_unpaid():
    assert PAYING_STEPS == {
        DueStep.BANK_PAID,
        DueStep.CASH_PAID,
        DueStep.TAX_PAID,
        DueStep.GOVERNMENT_FUNDS,
    }


def test_a_scheme_hears_of_exactly_the_dues_a_payment_paid_and_only_once(tree, heard):
    mine = make(tree, "sample", 3)
    other = make(tree, "silent", 2)
    already = mine[0]
    pay(Due.objects.filter(pk=already.pk))
    assert heard == [[already.pk]]
    heard.clear()
    moved = pay(Due.objects.filter(pk__in=[due.pk for due in mine + other]))
    assert moved == 4  # the first was paid already
    assert heard == [sorted(due.pk for due in mine[1:])]
    heard.clear()
    assert pay(Due.objects.all()) == 0
    assert heard == []


def test_a_step_that_does_not_pay_tells_nobody(tree, heard):
    due = make(tree, "sample")[0]
    Due.objects.filter(pk=due.pk).transition(DueStep.BATCH)
    Due.objects.filter(pk=due.pk).transition(DueStep.BANK_FAILED)
    Due.objects.filter(pk=due.pk).transition(DueStep.CANCEL)
    assert heard == []


def test_large_payments_are_told_a_chunk_at_a_time(tree, heard, monkeypatch):
    monkeypatch.setattr(dues_module, "PAYING_CHUNK", 2)
    made = make(tree, "sample", 5)
    assert pay(Due.objects.all()) == 5
    assert heard == [
        sorted(due.pk for due in made[0:2]),
        sorted(due.pk for due in made[2:4]),
        [made[4].pk],
    ]


def test_a_scheme_that_fails_undoes_the_payment(tree, monkeypatch):
    def refuse(dues):
        raise Told("the scheme refused")

    sample = schemes.CollectionScheme(
        code="sample", label="样例", bank_payers=lambda d: d, roster=lambda p: p, on_paid=refuse
    )
    monkeypatch.setattr(schemes, "schemes", lambda: {"sample": sample})
    due = make(tree, "sample")[0]
    with pytest.raises(Told):
        pay(Due.objects.filter(pk=due.pk))
    due.refresh_from_db()
    assert (due.status, due.paid_on) == (DueStatus.OPEN, None)

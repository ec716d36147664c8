"""``demo_accounts`` on a small tree: rates, history, interest, a transfer; twice adds nothing."""

import datetime

from jumin.core.models import Role
from jumin.pension.demo_accounts import demo_accounts
from jumin.pension.models import (
    AccountEntry,
    EnrolmentStatus,
    EntrySource,
    InterestRate,
    Transfer,
    TransferStatus,
)
from jumin.pension.tests.factories import EnrolmentFactory


def test_demo_accounts_twice_adds_nothing(tree, staff):
    for index in range(6):
        village = tree.village_a1 if index % 2 else tree.village_b1
        enrolment = EnrolmentFactory(village=village, status=EnrolmentStatus.PAYING)
        type(enrolment).objects.filter(pk=enrolment.pk).update(
            registered_on=datetime.date(2016 + index, 5, 1)
        )
    notes = []
    added = demo_accounts(county=tree.county, year=2026, seed=1, staff=staff, notes=notes)
    assert added > 0 and notes
    assert InterestRate.objects.filter(year__range=(2015, 2026)).count() == 12
    interest = AccountEntry.objects.filter(source=EntrySource.INTEREST)
    assert interest.filter(year=2025).count() == 6
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.due_on > transfer.accepted_on
    counts = (AccountEntry.objects.count(), InterestRate.objects.count(), Transfer.objects.count())
    assert demo_accounts(county=tree.county, year=2026, seed=1, staff=staff, notes=[]) == 0
    assert counts == (
        AccountEntry.objects.count(),
        InterestRate.objects.count(),
        Transfer.objects.count(),
    )
    assert staff[Role.COUNTY_ADMIN] == transfer.created_by

"""Two builds of the same county and month at the same moment (two connections, PostgreSQL):
one payroll, each award paid once, each line debited once."""

import datetime

import pytest

from jumin.pension.models import AccountEntry, EntrySource, Payroll, PayrollLine
from jumin.pension.services import payroll as services
from jumin.pension.tests.factories import AwardFactory, BenefitStandardFactory
from jumin.testing.concurrency import postgres_only, run_together


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_builds_at_once_pay_each_award_once(tree, monkeypatch):
    monkeypatch.setenv("JUMIN_PAYROLL_CHUNK", "3")
    BenefitStandardFactory(region=tree.province)
    AwardFactory.create_batch(10, village=tree.village_a1)
    month = datetime.date(2026, 1, 1)

    def build():
        return services.payroll_build(acting_user=None, region_code=tree.county.code, month=month)

    outcomes = run_together(build, build)
    assert [outcome.get("error") for outcome in outcomes] == [None, None]
    assert Payroll.objects.count() == 1
    assert PayrollLine.objects.count() == 10
    assert AccountEntry.objects.filter(source=EntrySource.PENSION_PAID).count() == 10
    assert Payroll.objects.get().line_count == 10

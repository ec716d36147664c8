"""A payroll build killed part-way (SIGKILL in a child process) finishes on the next start
without paying anyone twice; and, in-process, any sequence of builds, failures and re-runs
pays each award once a month, exactly what the standards as they are now make due."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumin.bench.faults import Databases
from jumin.core import jobs
from jumin.pension import rules
from jumin.pension.models import (
    AccountEntry,
    EntrySource,
    LineKind,
    PayrollLine,
)
from jumin.pension.services import payroll as services
from jumin.pension.tests.factories import AwardFactory, BenefitStandardFactory
from jumin.pension.tests.paying import pay_month

AWARDS = 7


def test_a_killed_build_finishes_on_the_next_start_paying_nobody_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("JUMIN_PAYROLL_CHUNK", "40")
    databases = Databases.for_configured(tmp_path)
    try:
        databases.create_empty("payroll")
        databases.cli("payroll", ["migrate", "--no-input", "-v", "0"], check=True)
        code = "from jumin.bench.payroll import prepare_in_child; prepare_in_child(200)"
        databases.cli("payroll", ["shell", "-c", code], check=True)
        command = ["build-payroll", "--county", "341125", "--month", "2026-01", "--no-progress"]
        killed = databases.cli("payroll", command, fault="payroll_chunk:3")
        assert killed.returncode == -9, killed.output

        def one(sql):
            with databases.connect("payroll") as cursor:
                cursor.execute(sql)
                return cursor.fetchone()[0]

        awards = one("SELECT COUNT(*) FROM pension_award WHERE status = 'active'")
        assert awards > 80
        assert one("SELECT COUNT(*) FROM pension_payrollline") == 80  # two chunks committed
        again = databases.cli("payroll", command)
        assert again.returncode == 0, again.output
        assert one("SELECT COUNT(*) FROM pension_payrollline") == awards
        assert one("SELECT COUNT(DISTINCT award_id) FROM pension_payrollline") == awards
        assert (
            one("SELECT COUNT(*) FROM pension_accountentry WHERE source = 'pension_paid'") == awards
        )
        assert (
            one(
                "SELECT COUNT(*) FROM (SELECT payroll_line_id FROM pension_accountentry "
                "WHERE payroll_line_id IS NOT NULL GROUP BY payroll_line_id HAVING COUNT(*) > 1) x"
            )
            == 0
        )
        # the killed run is marked interrupted by the re-run, the new one done
        assert one("SELECT COUNT(*) FROM core_jobrun WHERE status = 'running'") == 0
        again = databases.cli("payroll", command)  # and once more: nothing added
        assert one("SELECT COUNT(*) FROM pension_payrollline") == awards
    finally:
        databases.drop_all()


class _Fault(Exception):
    pass


steps = st.lists(
    st.tuples(
        st.booleans(),  # a raise of 5 entered (back-dated to January) before this month
        st.one_of(st.none(), st.integers(min_value=1, max_value=4)),  # fail at the n-th chunk
        st.integers(min_value=0, max_value=2),  # builds again before approving
    ),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
def test_any_builds_and_resumes_pay_each_award_once_a_month(tree, plan):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("JUMIN_PAYROLL_CHUNK", "2")
        try:
            with transaction.atomic():
                _run(tree, plan, monkeypatch)
                raise _Fault  # roll the example back
        except _Fault:
            pass


def _run(tree, plan, monkeypatch):
    province = tree.county.parent.parent
    BenefitStandardFactory(region=province)
    county_standard = BenefitStandardFactory(region=tree.county, local_top_up=Decimal("0.00"))
    awards = [
        AwardFactory(village=tree.village_a1, account_balance=Decimal("150.00"))
        for _ in range(AWARDS)
    ]
    for index, (raise_first, fail_at, rebuilds) in enumerate(plan):
        month = datetime.date(2026, index + 1, 1)
        if raise_first:
            type(county_standard).objects.filter(pk=county_standard.pk).update(
                local_top_up=county_standard.local_top_up + 5
            )
            county_standard.refresh_from_db()
        if fail_at is not None:
            passed = {"n": 0}

            def fault(name, passed=passed, fail_at=fail_at):
                if name == "payroll_chunk":
                    passed["n"] += 1
                    if passed["n"] == fail_at:
                        raise _Fault

            monkeypatch.setattr(jobs, "fault_point", fault)
            try:
                services.payroll_build(acting_user=None, region_code=tree.county.code, month=month)
            except _Fault:
                pass
            monkeypatch.setattr(jobs, "fault_point", lambda name: None)
        for _ in range(rebuilds):
            services.payroll_build(acting_user=None, region_code=tree.county.code, month=month)
        pay_month(tree.county, month)
    months = len(plan)
    basic = Decimal("163.00") + county_standard.local_top_up
    lines = PayrollLine.objects.exclude(kind=LineKind.RETRY)
    for award in awards:
        regular = lines.filter(award=award, kind=LineKind.REGULAR)
        assert regular.count() == months
        assert regular.values("month_for").distinct().count() == months
        per_month = (
            lines.filter(award=award)
            .values("month_for")
            .annotate(paid=Sum("total"), basic=Sum("basic"))
        )
        for row in per_month:  # what each month is due under the standard as it is now
            assert row["basic"] == basic
            assert row["paid"] == basic + award.account_pension
        debits = AccountEntry.objects.filter(person=award.person, source=EntrySource.PENSION_PAID)
        taken = lines.filter(award=award).aggregate(total=Sum("from_account"))["total"]
        assert -debits.balance() == taken == min(Decimal("150.00"), award.account_pension * months)
    assert not (
        AccountEntry.objects.filter(payroll_line__isnull=False)
        .values("payroll_line")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


@given(
    overpaid_months=st.integers(min_value=0, max_value=24),
    account=st.decimals(min_value=0, max_value=500, places=2),
    basic=st.decimals(min_value=0, max_value=500, places=2),
    balance=st.decimals(min_value=0, max_value=20000, places=2),
    grant=st.decimals(min_value=0, max_value=3000, places=2),
)
def test_recovery_never_creates_or_loses_a_fen(overpaid_months, account, basic, balance, grant):
    account_part = account * overpaid_months
    overpaid = account_part + basic * overpaid_months
    plan = rules.recovery_plan(
        overpaid=overpaid,
        account_part=account_part,
        balance_before_return=balance,
        funeral_grant=grant,
    )
    assert (
        plan.account_return
        + plan.inheritance_set_off
        + plan.funeral_grant_set_off
        + plan.from_family
        == overpaid
    )
    assert plan.inherited + plan.inheritance_set_off == balance + account_part
    assert plan.funeral_grant_paid + plan.funeral_grant_set_off == grant
    assert min(plan.inherited, plan.from_family, plan.funeral_grant_paid) >= 0

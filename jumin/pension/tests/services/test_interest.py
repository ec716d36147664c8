"""Year-end interest through the service: EXAMPLES E1 and E7, the SQL against the pure rule
(hypothesis, every mode), re-runs and a killed run, a corrected rate, interest to the start."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from jumin.core.models import AuditEntry, Role
from jumin.pension import rules
from jumin.pension.models import AccountEntry, EntrySource, InterestRate, InterestRun
from jumin.pension.services import interest as interest_module
from jumin.pension.services.interest import interest_correct, interest_credit, interest_to_start
from jumin.pension.tests.factories import AccountEntryFactory, InterestRateFactory
from jumin.testing.concurrency import postgres_only, run_together
from jumin.testing.factories import PersonFactory, RegionTreeFactory

COUNTY = "341125"


def balance(person) -> Decimal:
    return AccountEntry.objects.filter(person=person).balance()


def grow(person, credits, first_year, *, month=3, mode="A"):
    """One credit a year booked in ``month``, each year's interest credited by the job."""
    for offset, credit in enumerate(credits):
        year = first_year + offset
        InterestRateFactory(year=year, mode=mode)
        AccountEntryFactory(
            person=person,
            year=year,
            amount=Decimal(credit),
            booked_on=datetime.date(year, month, 10),
        )
        interest_credit(acting_user=None, region_code=COUNTY, year=year)


def interests(person):
    return [
        e.amount
        for e in AccountEntry.objects.filter(person=person, source=EntrySource.INTEREST).order_by(
            "year"
        )
    ]


def test_e1_fifteen_years_at_grade_500_through_the_job(tree):
    person = PersonFactory(village=tree.village_a1)
    grow(person, ["560"] * 15, 2011)
    # the first year earns nothing in mode A: no entry is made for a zero interest
    assert interests(person)[:2] == [Decimal("8.40"), Decimal("16.93")]
    assert balance(person) == Decimal("9342.00")
    assert rules.account_pension(balance(person), 139) == Decimal("67.21")


def test_e1_in_mode_b(tree):
    person = PersonFactory(village=tree.village_a1)
    grow(person, ["560"] * 15, 2011, mode="B")
    assert balance(person) == Decimal("9482.13")


def test_e7_ten_years_and_five_back_paid_through_the_job(tree):
    person = PersonFactory(village=tree.village_b1)
    for year in range(2016, 2026):
        InterestRateFactory(year=year)
        AccountEntryFactory(
            person=person, year=year, amount=Decimal("200"), booked_on=datetime.date(year, 4, 1)
        )
        AccountEntryFactory(
            person=person,
            year=year,
            amount=Decimal("30"),
            source=EntrySource.SUBSIDY_COUNTY,
            booked_on=datetime.date(year, 4, 1),
        )
    # five years back-paid, booked in 2025 (they belong to earlier years)
    for year in range(2011, 2016):
        AccountEntryFactory(
            person=person,
            year=year,
            amount=Decimal("200"),
            source=EntrySource.BACK_PAYMENT,
            booked_on=datetime.date(2025, 6, 1),
        )
    for year in range(2016, 2026):
        interest_credit(acting_user=None, region_code=COUNTY, year=year)
    assert interests(person) == [
        Decimal(x)
        for x in ("3.45", "6.95", "10.51", "14.11", "17.78", "21.49", "25.26", "29.09", "32.98")
    ]
    assert balance(person) == Decimal("3461.62")
    assert rules.account_pension(balance(person), 139) == Decimal("24.90")


def test_a_rerun_adds_nothing_and_a_killed_run_resumes(tree, monkeypatch):
    InterestRateFactory(year=2025)
    people = [PersonFactory(village=v) for v in (tree.village_a1, tree.village_b1) * 3]
    for person in people:
        AccountEntryFactory(
            person=person, year=2024, amount=Decimal("1000"), booked_on=datetime.date(2024, 5, 1)
        )
    monkeypatch.setattr(interest_module, "CHUNK", 2)
    calls = []
    real = interest_module.jobs.fault_point

    def die_after_two_chunks(name):
        if name == "interest_chunk":
            calls.append(name)
            if len(calls) == 2:
                raise SystemExit("killed")
        real(name)

    monkeypatch.setattr(interest_module.jobs, "fault_point", die_after_two_chunks)
    with pytest.raises(SystemExit):
        interest_credit(acting_user=None, region_code=COUNTY, year=2025)
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 4
    run = interest_credit(acting_user=None, region_code=COUNTY, year=2025)
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 6
    run.refresh_from_db()
    assert run.entry_count == 6 and run.amount_sum == Decimal("90.00")
    again = interest_credit(acting_user=None, region_code=COUNTY, year=2025)
    assert again.pk == run.pk and InterestRun.objects.count() == 1
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 6
    assert all(balance(p) == Decimal("1015.00") for p in people)


def test_a_corrected_rate_reverses_and_credits_again_with_later_years(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    AccountEntryFactory(
        person=person, year=2023, amount=Decimal("1000"), booked_on=datetime.date(2023, 5, 1)
    )
    InterestRateFactory(year=2024)
    InterestRateFactory(year=2025)
    interest_credit(acting_user=None, region_code=COUNTY, year=2024)
    interest_credit(acting_user=None, region_code=COUNTY, year=2025)
    assert balance(person) == Decimal("1030.23")  # 15.00, then 15.23
    InterestRate.objects.filter(year=2024).update(rate=Decimal("0.02"))
    admin = staff[Role.COUNTY_ADMIN]
    with pytest.raises(ValidationError, match="利率更正"):
        interest_credit(acting_user=admin, region_code=COUNTY, year=2024)
    with pytest.raises(ValidationError, match="原因"):
        interest_correct(acting_user=admin, region_code=COUNTY, year=2024, reason=" ")
    runs = interest_correct(acting_user=admin, region_code=COUNTY, year=2024, reason="省厅更正")
    assert [(r.year, r.round) for r in runs] == [(2024, 2), (2025, 2)]
    # 2024: 20.00; 2025 on 1020.00: 15.30
    assert balance(person) == Decimal("1035.30")
    reversals = AccountEntry.objects.filter(reverses__isnull=False)
    assert sorted(e.amount for e in reversals) == [Decimal("-15.23"), Decimal("-15.00")]
    assert all(e.reason for e in reversals)
    with pytest.raises(ValidationError, match="不需要更正"):
        interest_correct(acting_user=admin, region_code=COUNTY, year=2024, reason="再来一次")
    interest_credit(acting_user=admin, region_code=COUNTY, year=2024)  # the same: nothing
    assert balance(person) == Decimal("1035.30")
    assert AuditEntry.objects.filter(action="pension.interest.correct").count() == 2


def test_interest_to_start_is_part_year_and_once(tree):
    person = PersonFactory(village=tree.village_a1)
    InterestRateFactory(year=2026)
    AccountEntryFactory(
        person=person, year=2025, amount=Decimal("1200"), booked_on=datetime.date(2025, 3, 1)
    )
    entry = interest_to_start(
        acting_user=None, person=person, start_month=datetime.date(2026, 7, 1)
    )
    assert entry.amount == Decimal("9.00")  # six months of 1.5 % on 1 200
    assert entry.booked_on == datetime.date(2026, 6, 30)
    again = interest_to_start(
        acting_user=None, person=person, start_month=datetime.date(2026, 7, 1)
    )
    assert again.pk == entry.pk
    # no year-end interest in the year of the start
    interest_credit(acting_user=None, region_code=COUNTY, year=2026)
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 1


def test_staff_outside_the_roles_or_county_are_refused(tree, staff):
    InterestRateFactory(year=2025)
    for role in (Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            interest_credit(acting_user=staff[role], region_code=COUNTY, year=2025)
    with pytest.raises(ValidationError, match="没有记账利率"):
        interest_credit(acting_user=None, region_code=COUNTY, year=2019)


# --------------------------------------------------------------------------- SQL = rule

money = st.decimals(min_value=Decimal("-50"), max_value=Decimal("5000"), places=2)
ledger = st.lists(
    st.tuples(st.integers(2023, 2025), st.integers(1, 12), st.integers(1, 28), money),
    min_size=0,
    max_size=8,
)


class TestSqlEqualsRule(HypothesisTestCase):
    @settings(max_examples=40)
    @given(
        ledgers=st.lists(ledger, min_size=1, max_size=3),
        rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.1"), places=6),
        mode=st.sampled_from("ABC"),
    )
    def test_the_job_gives_the_fen_of_the_rule(self, ledgers, rate, mode):
        tree = RegionTreeFactory.build_tree()
        InterestRateFactory(year=2025, rate=rate, mode=mode)
        expected = {}
        for rows in ledgers:
            person = PersonFactory(village=tree.village_a1)
            opening, credits = Decimal("0"), []
            for year, month, day, amount in rows:
                booked = datetime.date(year, month, day)
                AccountEntryFactory(person=person, year=year, amount=amount, booked_on=booked)
                if year < 2025:
                    opening += amount
                else:
                    credits.append((month, amount))
            expected[person.pk] = rules.year_interest(
                opening=opening, credits=credits, rate=rate, mode=mode
            )
        interest_credit(acting_user=None, region_code=COUNTY, year=2025)
        got = dict(
            AccountEntry.objects.filter(source=EntrySource.INTEREST).values_list(
                "person_id", "amount"
            )
        )
        assert got == {pk: value for pk, value in expected.items() if value != 0}
        for pk in expected:
            assert balance(pk) == AccountEntry.objects.filter(person_id=pk).balance()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_year_end_runs_at_once_credit_each_person_once(tree, monkeypatch):
    InterestRateFactory(year=2025)
    people = [PersonFactory(village=tree.village_a1) for _ in range(12)]
    for person in people:
        AccountEntryFactory(
            person=person, year=2024, amount=Decimal("100"), booked_on=datetime.date(2024, 5, 1)
        )
    monkeypatch.setattr(interest_module, "CHUNK", 3)

    def run():
        return interest_credit(acting_user=None, region_code=COUNTY, year=2025)

    outcomes = run_together(run, run)
    assert all("error" not in outcome for outcome in outcomes), outcomes
    assert InterestRun.objects.count() == 1
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 12
    assert all(balance(p) == Decimal("101.50") for p in people)


def test_the_command_credits_and_corrects(tree):
    import io

    from django.core.management import CommandError, call_command

    person = PersonFactory(village=tree.village_a1)
    AccountEntryFactory(
        person=person, year=2024, amount=Decimal("1000"), booked_on=datetime.date(2024, 5, 1)
    )
    InterestRateFactory(year=2025)
    out = io.StringIO()
    call_command(
        "credit_interest", "--county", "341125", "--year", "2025", "--no-progress", stdout=out
    )
    assert "2025年结息（第1轮" in out.getvalue() and "15.00" in out.getvalue()
    InterestRate.objects.filter(year=2025).update(rate=Decimal("0.01"))
    with pytest.raises(CommandError, match="利率更正"):
        call_command("credit_interest", "--county", "341125", "--year", "2025", "--no-progress")
    out = io.StringIO()
    call_command(
        "credit_interest",
        "--county",
        "341125",
        "--year",
        "2025",
        "--correct",
        "文件更正",
        "--no-progress",
        stdout=out,
    )
    assert "第2轮" in out.getvalue()
    assert balance(person) == Decimal("1010.00")


def test_the_year_end_job_is_set_based(tree):
    """The same statements for 5 accounts as for 30: nothing is done per person."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = []
    for size, year in ((5, 2024), (30, 2025)):
        InterestRateFactory(year=year)
        for _ in range(size):
            person = PersonFactory(village=tree.village_b2)
            AccountEntryFactory(
                person=person,
                year=year - 1,
                amount=Decimal("100"),
                booked_on=datetime.date(year - 1, 6, 1),
            )
        with CaptureQueriesContext(connection) as queries:
            interest_credit(acting_user=None, region_code=COUNTY, year=year)
        counted.append(len(queries))
    assert counted[0] == counted[1]

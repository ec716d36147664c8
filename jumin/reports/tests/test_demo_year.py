"""``jumin demo-year``: a realistic, deterministic, idempotent collection year."""

import datetime
import io
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from jumin.collection.demo import BOOK_SERIES, CADRE_BOOK_FIRST
from jumin.collection.models import Due, ReceiptBook, ReceiptHandover
from jumin.core.models import AuditEntry, Region, RegionLevel, Role, User
from jumin.pension.demo import chance
from jumin.pension.models import (
    ContributionPlan,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GradeChoice,
)
from jumin.people.models import Person
from jumin.people.rules import age_on
from jumin.reports.demo import TARGET_SHARE, demo_year
from jumin.reports.models import CollectionTarget
from jumin.testing.factories import HouseholdFactory, PersonFactory

YEAR = 2026
ON = datetime.date(YEAR, 1, 1)
PENDING = (EnrolmentStatus.PENDING_TOWNSHIP, EnrolmentStatus.PENDING_COUNTY)


@pytest.fixture
def county(db):
    call_command(
        "demo_data",
        people=600,
        seed=3,
        on=ON,
        no_progress=True,
        stdout=io.StringIO(),
        county="341125",
    )
    return Region.objects.get(code="341125000000")


def run(**options):
    out = io.StringIO()
    call_command(
        "demo_year",
        county="341125",
        year=YEAR,
        seed=3,
        no_progress=True,
        stdout=out,
        **options,
    )
    return out.getvalue()


def counts() -> dict:
    return {
        "enrolments": Enrolment.objects.count(),
        "events": EnrolmentEvent.objects.count(),
        "grades": GradeChoice.objects.count(),
        "targets": CollectionTarget.objects.count(),
        "books": ReceiptBook.objects.count(),
        "handovers": ReceiptHandover.objects.count(),
        "plans": ContributionPlan.objects.count(),
        "target_audit": AuditEntry.objects.filter(action="reports.target.set").count(),
    }


def test_demo_year_enrols_the_eligible_the_way_a_county_looks(county):
    output = run()
    assert "定远县2026年演示征缴年度" in output
    plan = ContributionPlan.objects.get(year=YEAR, region=county)
    assert plan.grades.count() == 12
    enrolments = list(Enrolment.objects.select_related("person"))
    assert enrolments
    for enrolment in enrolments:
        person = enrolment.person
        age = age_on(person.birth_date, ON)
        assert age >= 16
        assert person.death_date is None or person.death_date > ON
        assert (enrolment.status == EnrolmentStatus.RECEIVING) == (age >= 60)
        if enrolment.status in PENDING:
            assert enrolment.registered_on is None
        else:
            assert enrolment.registered_on is not None and enrolment.county_checked_by_id
    adults = [
        p
        for p in Person.objects.filter(household__isnull=False, death_date__isnull=True)
        if 23 <= age_on(p.birth_date, ON) < 60
    ]
    enrolled_adults = Enrolment.objects.filter(person__in=adults).count()
    assert 0.75 <= enrolled_adults / len(adults) <= 0.95
    assert not Enrolment.objects.filter(person__household__isnull=True).exists()


def test_queues_are_not_empty_for_the_demo_staff(county):
    run()
    township_clerk = User.objects.get(username="township_clerk")
    prefix = township_clerk.region_id[:9]
    waiting = Enrolment.objects.filter(village__pk__startswith=prefix)
    assert waiting.filter(status=EnrolmentStatus.PENDING_TOWNSHIP).exists()
    assert Enrolment.objects.filter(status=EnrolmentStatus.PENDING_COUNTY).exists()
    assert Enrolment.objects.filter(status__in=PENDING).count() < Enrolment.objects.count() * 0.1


def test_events_tell_each_enrolments_story(county):
    run()
    kinds = dict(EnrolmentEvent.objects.values_list("kind").annotate(n=Count("pk")))
    statuses = dict(Enrolment.objects.values_list("status").annotate(n=Count("pk")))
    total = sum(statuses.values())
    assert kinds["applied"] == total
    assert kinds["county_approved"] == total - statuses.get("pending_township", 0) - statuses.get(
        "pending_county", 0
    )
    assert kinds["township_approved"] == total - statuses.get("pending_township", 0)
    assert kinds["receiving"] == statuses["receiving"]
    assert not Enrolment.objects.exclude(pk__in=EnrolmentEvent.objects.values("enrolment")).exists()


def test_most_people_pay_the_lowest_grade(county):
    run()
    paying = Enrolment.objects.filter(status=EnrolmentStatus.PAYING)
    choices = GradeChoice.objects.filter(year=YEAR)
    assert choices.count() == paying.count()
    assert set(choices.values_list("person_id", flat=True)) == set(
        paying.values_list("person_id", flat=True)
    )
    lowest = ContributionPlan.objects.get(year=YEAR).grades.order_by("amount").first().amount
    share = choices.filter(amount=lowest).count() / choices.count()
    assert 0.55 <= share <= 0.85
    assert choices.values("amount").distinct().count() >= 4


def test_targets_and_receipt_books_are_handed_down(county):
    run()
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP, parent=county).count()
    targets = CollectionTarget.objects.filter(year=YEAR)
    assert targets.count() == townships
    counted = (
        EnrolmentStatus.PAYING,
        EnrolmentStatus.PENDING_TOWNSHIP,
        EnrolmentStatus.PENDING_COUNTY,
    )
    # each township's target is its share of the people enrolled there (pending included)
    enrolled = {}
    for village_id in Enrolment.objects.filter(status__in=counted).values_list(
        "village_id", flat=True
    ):
        enrolled[village_id[:9]] = enrolled.get(village_id[:9], 0) + 1
    expected = {
        t.region_id: math.ceil(enrolled.get(t.region_id[:9], 0) * TARGET_SHARE) for t in targets
    }
    assert {t.region_id: t.target_count for t in targets} == expected
    assert sum(expected.values()) > 0
    assert AuditEntry.objects.filter(action="reports.target.set").count() == 1
    books = ReceiptBook.objects.filter(
        series=BOOK_SERIES.format(year=YEAR), first_number__lt=CADRE_BOOK_FIRST
    ).select_related("holder")
    holders = sorted(book.holder.username for book in books)
    assert holders == ["township_clerk", "village_assistant", "village_assistant"]
    assert ReceiptHandover.objects.filter(book__in=books).count() == 5
    # every other collecting village's assistant got one book, county → township → village
    cadre_books = ReceiptBook.objects.filter(first_number__gte=CADRE_BOOK_FIRST)
    assert ReceiptHandover.objects.count() == 5 + 2 * cadre_books.count()
    assert AuditEntry.objects.filter(action="collection.receipt_book.handover").count() == (
        ReceiptHandover.objects.count()
    )
    assert {book.holder.region_id for book in cadre_books.select_related("holder")} == {
        book.holder_region_id for book in cadre_books
    }
    entry = AuditEntry.objects.get(action="reports.demo.year")
    assert entry.after["books"] == 3 and entry.after["paying"] > 0
    assert entry.after["collection"]["books"] == cadre_books.count()


def test_running_again_adds_nothing(county):
    run()
    first = counts()
    run()
    assert counts() == first
    assert "已有参保登记" in run(if_empty=True)
    assert counts() == first
    assert AuditEntry.objects.filter(action="reports.demo.year").count() == 1


def test_the_same_seed_gives_the_same_year(county):
    def snapshot():
        return (
            sorted(Enrolment.objects.values_list("person__id_number", "status", "applied_on")),
            sorted(GradeChoice.objects.values_list("person__id_number", "amount")),
            sorted(CollectionTarget.objects.values_list("region_id", "target_count")),
        )

    with transaction.atomic():
        run()
        first = snapshot()
        transaction.set_rollback(True)
    assert not Enrolment.objects.exists()
    run()
    assert snapshot() == first
    assert chance(3, "enrol", "x") == chance(3, "enrol", "x") != chance(4, "enrol", "x")


def test_every_demo_passbook_has_its_bank(county):
    run()
    entry = AuditEntry.objects.get(action="reports.demo.year")
    with_passbook = Person.objects.exclude(passbook_number="")
    assert with_passbook.exists()
    assert not with_passbook.filter(passbook_bank="").exists()
    # the late village's banks are recorded by the collection part, before its second round
    late = entry.after["collection"]["late_passbooks"]
    assert entry.after["passbook_banks"] + late == with_passbook.count()


def test_a_county_without_demo_staff_gets_them(tree):
    for index in range(40):
        village = tree.village_a1 if index % 2 else tree.village_b1
        # adults whatever the factory's sequence has reached in the session
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=300 * index)
        PersonFactory(village=village, household=HouseholdFactory(village=village), birth_date=born)
    result = demo_year(county_code="341125", year=YEAR, seed=1)
    assert result.paying + result.receiving + result.pending > 0
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="village_assistant").region_id == tree.village_a1.code


def test_county_without_people_is_refused(tree):
    with pytest.raises(CommandError, match="还没有参保人"):
        run()
    with pytest.raises(CommandError, match="没有县级区划"):
        call_command(
            "demo_year", county="341126", year=YEAR, no_progress=True, stdout=io.StringIO()
        )
    assert not Enrolment.objects.exists()


def test_the_years_dues_are_made_by_the_pensions_dues_job(county):
    output = run()
    made = Due.objects.filter(scheme="pension", year=YEAR).count()
    assert made > 0
    assert f"应缴记录：新生成 {made} 条" in output
    assert AuditEntry.objects.get(action="reports.demo.year").after["dues"] == made


def test_the_later_parts_make_a_living_county_and_a_second_run_adds_nothing(county):
    from jumin.medical.models import Claim, FundEntry, MedicalEnrolment
    from jumin.pension.models import (
        AccountEntry,
        Award,
        AwardStatus,
        EntrySource,
        Payroll,
        PayrollStatus,
        Recovery,
        Transfer,
    )

    today = datetime.date(YEAR, 12, 2)
    first = demo_year(county_code="341125", year=YEAR, seed=3, today=today)
    assert set(first.parts) == {
        "accounts",
        "awards",
        "payroll",
        "medical_enrolment",
        "medical_claims",
        "medical_fund",
    }
    assert all(first.parts.values()), first.parts
    # the settlements debit the pooled fund: none is left unposted
    from jumin.medical.services.fund_claims import has_unposted

    assert not has_unposted(county_prefix="341125", coverage_year=YEAR)
    interest = AccountEntry.objects.filter(source=EntrySource.INTEREST)
    assert interest.filter(year=YEAR - 1).exists()
    # one source of history: no person has two personal contributions in one year
    personal = (
        AccountEntry.objects.filter(source=EntrySource.PERSONAL, year__lt=YEAR)
        .values("person_id", "year")
        .annotate(n=Count("pk"))
    )
    assert personal.exists() and not personal.filter(n__gt=1).exists()
    assert Award.objects.filter(status=AwardStatus.ACTIVE).exists()
    assert Transfer.objects.exists()
    payrolls = Payroll.objects.filter(month__year=YEAR)
    assert payrolls.count() == 12
    assert payrolls.get(month=datetime.date(YEAR, 12, 1)).status == PayrollStatus.BUILT
    assert Recovery.objects.exists()
    assert MedicalEnrolment.objects.filter(coverage_year=YEAR).exists()
    assert MedicalEnrolment.objects.filter(coverage_year=YEAR + 1).exists()
    assert Claim.objects.filter(coverage_year=YEAR).exists()
    tables = (
        AccountEntry, Award, Payroll, Recovery, Transfer, MedicalEnrolment, Claim, FundEntry,
        AuditEntry,
    )  # fmt: skip
    before = {model.__name__: model.objects.count() for model in tables}
    again = demo_year(county_code="341125", year=YEAR, seed=3, today=today)
    assert not any(again.parts.values()), again.parts
    assert {model.__name__: model.objects.count() for model in tables} == before

"""Posting confirmed dues to the personal-account ledger by source."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.collection.models import Channel, DueKind, DueStatus
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import AccountEntry, Posting
from jumin.pension.services.posting import post_confirmed
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PensionDueFactory, PlanFactory


@pytest.fixture
def plan(db):
    return PlanFactory()


def post(staff, role=Role.FINANCE, **kwargs):
    return post_confirmed(acting_user=staff[role], region_code="341125", year=YEAR, **kwargs)


def entries_of(due):
    return {entry.source: entry.amount for entry in AccountEntry.objects.filter(due=due)}


def test_each_source_lands_in_its_own_entry(tree, staff, plan):
    person = EnrolmentFactory(village=tree.village_a1).person
    due = PensionDueFactory(
        plan=plan,
        person=person,
        amount="500.00",
        subsidy_province="30.00",
        subsidy_city="10.00",
        subsidy_county="20.00",
        collective_subsidy="50.00",
        status=DueStatus.CONFIRMED,
    )
    posting = post(staff)
    assert entries_of(due) == {
        "personal": Decimal("500.00"),
        "subsidy_province": Decimal("30.00"),
        "subsidy_city": Decimal("10.00"),
        "subsidy_county": Decimal("20.00"),
        "collective": Decimal("50.00"),
    }
    total = (
        due.amount
        + due.contribution.subsidy_province
        + due.contribution.subsidy_city
        + due.contribution.subsidy_county
    )
    total += due.contribution.collective_subsidy
    assert AccountEntry.objects.filter(person=person).balance() == total
    due.refresh_from_db()
    assert due.status == DueStatus.POSTED and due.posted_at is not None
    assert (posting.due_count, posting.entry_count, posting.amount_sum) == (1, 5, total)
    entry = AccountEntry.objects.filter(due=due).first()
    assert entry.posting == posting and entry.year == YEAR and entry.village == tree.village_a1
    assert entry.created_by == staff[Role.FINANCE]


def test_back_payment_and_government_paid_sources_and_zero_subsidies(tree, staff, plan):
    back = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        amount="300.00",
        kind=DueKind.BACK_PAYMENT,
        status=DueStatus.CONFIRMED,
    )
    paid = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_b1).person,
        amount="100.00",
        kind=DueKind.GOVERNMENT_PAID,
        channel=Channel.GOVERNMENT,
        subsidy_province="30.00",
        subsidy_city="0",
        subsidy_county="0",
        status=DueStatus.CONFIRMED,
    )
    post(staff)
    assert entries_of(back) == {"back_payment": Decimal("300.00")}
    assert entries_of(paid) == {
        "government_paid": Decimal("100.00"),
        "subsidy_province": Decimal("30.00"),
    }


def test_rerun_posts_nothing_and_unconfirmed_dues_are_skipped(tree, staff, plan):
    confirmed = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
    )
    skipped = {
        status: PensionDueFactory(
            plan=plan, person=EnrolmentFactory(village=tree.village_a1).person, status=status
        )
        for status in (DueStatus.OPEN, DueStatus.IN_BATCH, DueStatus.PAID, DueStatus.CANCELLED)
    }
    first = post(staff)
    second = post(staff)
    assert first.due_count == 1 and second.due_count == second.entry_count == 0
    assert AccountEntry.objects.count() == 1 and entries_of(confirmed)
    for status, due in skipped.items():
        due.refresh_from_db()
        assert due.status == status and not entries_of(due)
    runs = AuditEntry.objects.filter(action="pension.posting.run").order_by("pk")
    assert [entry.after["entry_count"] for entry in runs] == [1, 0]
    assert runs[0].after["by_source"]["personal"]["amount"] == "200.00"


def test_a_killed_run_resumes(tree, staff, plan):
    """Entries already written for a due still confirmed are not written twice."""
    due = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        subsidy_province="30.00",
        subsidy_city="0",
        subsidy_county="0",
        status=DueStatus.CONFIRMED,
    )
    earlier = Posting.objects.create(region=tree.county, year=YEAR)
    AccountEntry.objects.create(
        person=due.person,
        village=due.village,
        year=YEAR,
        source="personal",
        amount=due.amount,
        due=due,
        posting=earlier,
    )
    posting = post(staff)
    assert posting.entry_count == 1 and posting.due_count == 1
    assert entries_of(due) == {"personal": Decimal("200.00"), "subsidy_province": Decimal("30.00")}


def test_posting_is_set_based(tree, staff, plan):
    """The same statements for 5 dues as for 30: nothing is done per due."""
    counted = []
    for size in (5, 30):
        for _ in range(size):
            PensionDueFactory(
                plan=plan,
                person=EnrolmentFactory(village=tree.village_a1).person,
                status=DueStatus.CONFIRMED,
            )
        with CaptureQueriesContext(connection) as queries:
            posting = post(staff)
        assert posting.due_count == size
        counted.append(len(queries))
    assert counted[0] == counted[1]


def test_only_the_county_of_the_run_is_posted(tree, staff, plan):
    from jumin.core.models import RegionLevel
    from jumin.testing.factories import RegionFactory

    other_county = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    other_village = RegionFactory(
        code="341126100001", name="某村", level=RegionLevel.VILLAGE, parent=other_county
    )
    due = PensionDueFactory(
        plan=plan, person=EnrolmentFactory(village=other_village).person, status=DueStatus.CONFIRMED
    )
    post(staff)
    due.refresh_from_db()
    assert due.status == DueStatus.CONFIRMED


@pytest.mark.parametrize(
    "role", [Role.COUNTY_CLERK, Role.AUDITOR, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT]
)
def test_who_may_post(tree, staff, plan, role):
    with pytest.raises(PermissionDeniedForRole):
        post(staff, role)


def test_county_admin_may_post_and_a_bad_county_is_refused(tree, staff, plan):
    assert post(staff, Role.COUNTY_ADMIN).due_count == 0
    with pytest.raises(ValidationError):
        post_confirmed(acting_user=staff[Role.FINANCE], region_code="3411", year=YEAR)


def test_progress_is_reported(tree, staff, plan):
    from jumin.core.jobs import Progress
    from jumin.core.models import JobRun

    PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
    )
    run = JobRun.objects.create(kind="pension.posting", region=tree.county)
    posting = post(staff, progress=Progress(run))
    run.refresh_from_db()
    assert run.status == "done" and run.result["due_count"] == 1 and posting.job == run

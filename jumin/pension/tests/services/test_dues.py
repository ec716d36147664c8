import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.models import Channel, Due, DueKind, DueStatus, DueStep
from jumin.core.access import PermissionDeniedForRole
from jumin.core.jobs import Progress
from jumin.core.models import AuditEntry, JobRun, Role
from jumin.pension.models import EnrolmentStatus
from jumin.pension.services.dues import back_payment_due_create, dues_generate
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PlanFactory
from jumin.testing.factories import SpecialStatusFactory

D = Decimal


def generate(staff, year=YEAR, **kwargs):
    return dues_generate(
        acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=year, **kwargs
    )


def due_of(person, kind=DueKind.PERSONAL):
    return Due.objects.get(person=person, kind=kind)


def test_paying_only_with_grade_choice_or_lowest_and_subsidies(tree, staff):
    PlanFactory()
    lowest = EnrolmentFactory(village=tree.village_a1).person
    chosen = EnrolmentFactory(village=tree.village_b2, grade=D("500")).person
    paused = EnrolmentFactory(village=tree.village_a1, status=EnrolmentStatus.PAUSED).person
    pending = EnrolmentFactory(
        village=tree.village_a1, status=EnrolmentStatus.PENDING_COUNTY
    ).person
    dead = EnrolmentFactory(
        village=tree.village_a2, person__death_date=datetime.date(2025, 5, 1)
    ).person

    generation = generate(staff)

    assert generation.personal_created == 2
    assert generation.government_paid_created == 0
    low = due_of(lowest)
    assert (low.contribution.grade, low.amount, low.status) == (
        D("100.00"),
        D("100.00"),
        DueStatus.OPEN,
    )
    assert (
        low.contribution.subsidy_province,
        low.contribution.subsidy_city,
        low.contribution.subsidy_county,
    ) == (D(20), D(0), D(10))
    assert low.village_id == tree.village_a1.code
    assert low.contribution.generation_id == generation.pk
    high = due_of(chosen)
    assert (high.contribution.grade, high.amount) == (D("500.00"), D("500.00"))
    assert (high.contribution.subsidy_province, high.contribution.subsidy_county) == (D(40), D(20))
    for person in (paused, pending, dead):
        assert not Due.objects.filter(person=person).exists()


def test_rerun_adds_nothing_and_then_only_what_is_missing(tree, staff):
    PlanFactory()
    EnrolmentFactory(village=tree.village_a1)
    EnrolmentFactory(village=tree.village_b1)
    first = generate(staff)
    assert first.personal_created == 2
    again = generate(staff)
    assert (again.personal_created, again.government_paid_created) == (0, 0)
    assert Due.objects.count() == 2
    late = EnrolmentFactory(village=tree.village_b1).person
    third = generate(staff)
    assert third.personal_created == 1
    assert Due.objects.filter(person=late).count() == 1
    # a cancelled due does not block a new one
    Due.objects.filter(person=late).transition(DueStep.CANCEL)
    assert generate(staff).personal_created == 1


def test_government_paid_precedence_on_the_cutoff_date(tree, staff):
    PlanFactory(government_paid_cutoff=datetime.date(2026, 3, 1))
    both = EnrolmentFactory(village=tree.village_a1).person
    # disability grade 1 (precedence 3) and extreme poverty (precedence 1): poverty wins
    SpecialStatusFactory(person=both, kind="severe_disability", detail="1")
    SpecialStatusFactory(person=both, kind="extreme_poverty", detail="")
    ended = EnrolmentFactory(village=tree.village_a1).person
    # extreme poverty ended before the cut-off; partial dibao (precedence 4) still in force
    SpecialStatusFactory(
        person=ended, kind="extreme_poverty", detail="", valid_to=datetime.date(2026, 2, 28)
    )
    SpecialStatusFactory(person=ended, kind="subsistence_allowance", detail="partial")
    future = EnrolmentFactory(village=tree.village_a2).person
    SpecialStatusFactory(
        person=future, kind="extreme_poverty", valid_from=datetime.date(2026, 3, 2)
    )
    not_covered = EnrolmentFactory(village=tree.village_a2).person
    SpecialStatusFactory(person=not_covered, kind="severe_disability", detail="3")

    generation = generate(staff)

    assert generation.government_paid_created == 2
    paid = due_of(both, DueKind.GOVERNMENT_PAID)
    assert paid.contribution.government_paid_group.startswith("特困")
    assert (paid.amount, paid.channel, paid.status) == (D("100.00"), Channel.GOVERNMENT, "open")
    # the default plan subsidises government-paid persons: the lowest grade's subsidy
    assert (paid.contribution.subsidy_province, paid.contribution.subsidy_county) == (D(20), D(10))
    assert not Due.objects.filter(person=both, kind=DueKind.PERSONAL).exists()
    assert due_of(ended, DueKind.GOVERNMENT_PAID).contribution.government_paid_group.startswith(
        "低保"
    )
    # a status starting after the cut-off, or a group the plan does not pay for: personal due
    assert due_of(future).amount == D("100.00")
    assert due_of(not_covered).amount == D("100.00")
    assert not Due.objects.filter(person=future, kind=DueKind.GOVERNMENT_PAID).exists()
    assert generate(staff).government_paid_created == 0


def test_government_paid_person_with_higher_grade_pays_the_difference(tree, staff):
    PlanFactory()
    person = EnrolmentFactory(village=tree.village_a1, grade=D("500")).person
    SpecialStatusFactory(person=person, kind="extreme_poverty", detail="")
    generate(staff)
    paid = due_of(person, DueKind.GOVERNMENT_PAID)
    rest = due_of(person)
    assert (paid.amount, rest.contribution.grade, rest.amount) == (D(100), D(500), D(400))
    # together the chosen grade's subsidy (40 + 20), split lowest / rest
    assert paid.contribution.subsidy_province + rest.contribution.subsidy_province == D(40)
    assert paid.contribution.subsidy_county + rest.contribution.subsidy_county == D(20)
    assert rest.channel == ""


def test_government_paid_without_subsidy_when_the_plan_says_so(tree, staff):
    PlanFactory(government_paid_subsidised=False)
    person = EnrolmentFactory(village=tree.village_a1, grade=D("300")).person
    SpecialStatusFactory(person=person, kind="extreme_poverty", detail="")
    generate(staff)
    paid = due_of(person, DueKind.GOVERNMENT_PAID)
    rest = due_of(person)
    assert paid.contribution.subsidy_province + paid.contribution.subsidy_county == 0
    assert (
        rest.amount == D(200)
        and rest.contribution.subsidy_province + rest.contribution.subsidy_county == 0
    )


def test_existing_personal_due_is_a_conflict_not_a_second_payer(tree, staff):
    PlanFactory()
    person = EnrolmentFactory(village=tree.village_a1).person
    generate(staff)
    SpecialStatusFactory(person=person, kind="extreme_poverty", detail="")
    generation = generate(staff)
    assert generation.government_paid_created == 0
    assert generation.result["conflicts"] == 1


def test_one_audit_entry_per_run_and_progress(tree, staff):
    PlanFactory()
    for _ in range(3):
        EnrolmentFactory(village=tree.village_a1)
    run = JobRun.objects.create(kind="pension.dues.generate", region=tree.county)
    generate(staff, progress=Progress(run))
    entries = AuditEntry.objects.filter(action="pension.dues.generate")
    assert entries.count() == 1
    assert entries.get().after["personal_created"] == 3
    run.refresh_from_db()
    assert run.status == "done" and run.result["personal_created"] == 3


def test_refusals(tree, staff):
    EnrolmentFactory(village=tree.village_a1)
    with pytest.raises(ValidationError, match="没有适用于本县的缴费方案"):
        generate(staff)
    PlanFactory()
    with pytest.raises(PermissionDeniedForRole):
        dues_generate(acting_user=staff[Role.FINANCE], region_code="341125", year=YEAR)
    with pytest.raises(PermissionDeniedForRole):
        dues_generate(acting_user=staff[Role.TOWNSHIP_CLERK], region_code="341125", year=YEAR)
    with pytest.raises(ValidationError, match="县级区划代码"):
        dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="3411", year=YEAR)
    with pytest.raises(ValidationError, match="本人管辖"):
        dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341126", year=YEAR)
    assert not Due.objects.exists()


def test_back_payment_due_without_subsidy_by_default(tree, staff):
    PlanFactory(year=2024)
    person = EnrolmentFactory(village=tree.village_a1).person
    clerk = staff[Role.COUNTY_CLERK]
    due = back_payment_due_create(acting_user=clerk, person=person, year=2024, grade="300")
    assert (
        due.kind,
        due.amount,
        due.contribution.subsidy_province + due.contribution.subsidy_county,
    ) == (
        DueKind.BACK_PAYMENT,
        D(300),
        0,
    )
    again = back_payment_due_create(acting_user=clerk, person=person, year=2024, grade="300")
    assert again.pk == due.pk
    assert AuditEntry.objects.filter(action="pension.due.back_payment_create").count() == 1
    with pytest.raises(ValidationError, match="没有250"):
        back_payment_due_create(acting_user=clerk, person=person, year=2024, grade="250")


def test_back_payment_subsidised_when_the_plan_says_so(tree, staff):
    PlanFactory(year=2023, back_payment_subsidised=True)
    person = EnrolmentFactory(village=tree.village_b1).person
    due = back_payment_due_create(
        acting_user=staff[Role.COUNTY_ADMIN], person=person, year=2023, grade="100"
    )
    assert due.contribution.subsidy_province == D(20)
    other = EnrolmentFactory(village=tree.village_b1).person
    outsider = staff[Role.COUNTY_CLERK].__class__.objects.create(
        username="other-county", role=Role.COUNTY_CLERK, region=tree.township_a
    )
    with pytest.raises(Http404):
        back_payment_due_create(acting_user=outsider, person=other, year=2023, grade="100")


def test_fixed_government_amount_below_the_lowest_grade_leaves_a_personal_rest(tree, staff):
    from jumin.pension.services.plans import plan_data_from_file

    rules = [
        {
            "kind": "severe_disability",
            "detail": "",
            "precedence": 1,
            "amount_rule": "fixed",
            "amount": "60",
        }
    ]
    PlanFactory(government_paid_rules=rules)
    assert plan_data_from_file()["government_paid_rules"] != rules
    person = EnrolmentFactory(village=tree.village_a1).person
    SpecialStatusFactory(person=person, kind="severe_disability", detail="2")
    generate(staff)
    paid = due_of(person, DueKind.GOVERNMENT_PAID)
    rest = due_of(person)
    assert (paid.amount, rest.amount, rest.contribution.grade) == (D(60), D(40), D(100))


def test_generation_query_count_does_not_grow_with_people(
    tree, staff, django_assert_max_num_queries
):
    PlanFactory()

    def add(count, village):
        for _ in range(count):
            EnrolmentFactory(village=village)
            person = EnrolmentFactory(village=village).person
            SpecialStatusFactory(person=person, kind="extreme_poverty", detail="")

    add(3, tree.village_a1)
    with django_assert_max_num_queries(40) as small:
        generate(staff)
    add(30, tree.village_a2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        generation = generate(staff)
    assert (generation.personal_created, generation.government_paid_created) == (30, 30)

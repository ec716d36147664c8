"""Enrolment services: eligibility, the village → township → county flow, changes, pause /
resume / close, grade choice and its effect on an open due, audit and idempotency."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.models import Due, DueKind, DueStatus
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension import rules
from jumin.pension.models import (
    EmployeeSchemeMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GradeChoice,
)
from jumin.pension.services import enrolment as services
from jumin.pension.tests.enrolling import adult, enrol_paying
from jumin.pension.tests.factories import PensionDueFactory
from jumin.testing.factories import PersonFactory

Status = EnrolmentStatus


# --------------------------------------------------------------------------- helpers


def application_day() -> datetime.date:
    """Today, or the 28th when today is later in the month (no 29 Feb birthdays)."""
    today = services.today()
    return today if today.day <= 28 else today.replace(day=28)


def register(staff, person, **extra):
    return services.enrolment_register(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, **extra
    )


# --------------------------------------------------------------------------- eligibility


def test_pure_refusals_name_each_reason():
    on = datetime.date(2026, 3, 1)
    assert (
        rules.enrolment_refusals(
            birth_date=datetime.date(2010, 3, 1),
            on=on,
            death_date=None,
            full_time_student=False,
            in_employee_scheme=False,
            already_enrolled=False,
            minimum_age=16,
        )
        == []
    )
    refusals = rules.enrolment_refusals(
        birth_date=datetime.date(2010, 3, 2),
        on=on,
        death_date=datetime.date(2026, 2, 1),
        full_time_student=True,
        in_employee_scheme=True,
        already_enrolled=True,
        minimum_age=16,
    )
    assert refusals == [
        "已死亡，不能参保",
        "未满16周岁，不能参保",
        "在校学生不参加城乡居保",
        "已参加职工基本养老保险，不能同时参加城乡居保",
        "已参加城乡居保，不能重复登记",
    ]


def test_age_16_on_the_day_may_enrol_and_15_may_not(tree, staff, plan):
    on = application_day()
    sixteen = on.replace(year=on.year - 16)
    person16 = PersonFactory(village=tree.village_a1, birth_date=sixteen)
    person15 = PersonFactory(
        village=tree.village_a1, birth_date=sixteen + datetime.timedelta(days=1)
    )
    enrolment, created = register(staff, person16, applied_on=on)
    assert created and enrolment.status == Status.PENDING_TOWNSHIP
    with pytest.raises(ValidationError) as refused:
        register(staff, person15, applied_on=on)
    assert refused.value.message_dict["person"] == ["未满16周岁，不能参保"]
    assert not Enrolment.objects.filter(person=person15).exists()


def test_minimum_age_comes_from_the_plan(tree, staff, plan):
    plan.minimum_age = 18
    plan.save()
    on = application_day()
    person = PersonFactory(village=tree.village_a1, birth_date=on.replace(year=on.year - 17))
    with pytest.raises(ValidationError, match="未满18周岁"):
        register(staff, person, applied_on=on)


def test_student_dead_and_employee_scheme_are_refused(tree, staff, plan):
    student = adult(tree.village_a1)
    with pytest.raises(ValidationError, match="在校学生"):
        register(staff, student, full_time_student=True)
    dead = adult(tree.village_a1, death_date=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="已死亡"):
        register(staff, dead)
    worker = adult(tree.village_a1)
    EmployeeSchemeMember.objects.create(id_number=worker.id_number, region=tree.county)
    with pytest.raises(ValidationError, match="职工基本养老保险"):
        register(staff, worker)
    assert Enrolment.objects.count() == 0
    assert not AuditEntry.objects.filter(action="pension.enrolment.register").exists()


def test_already_enrolled_is_a_refusal_in_the_preview(tree, staff, plan):
    person = adult(tree.village_a1)
    register(staff, person)
    refusals = services.refusals_for(
        person, on=services.today(), full_time_student=False, plan=plan
    )
    assert refusals == ["已参加城乡居保，不能重复登记"]


def test_no_plan_for_the_year_is_a_clear_message(tree, staff):
    person = adult(tree.village_a1)
    with pytest.raises(ValidationError, match="没有适用于本村的缴费方案"):
        register(staff, person)


# --------------------------------------------------------------------------- register


def test_register_twice_returns_the_existing_enrolment(tree, staff, plan):
    person = adult(tree.village_a1)
    first, created = register(staff, person, grade="300")
    again, created_again = register(staff, person, grade="500")
    assert created and not created_again
    assert again.pk == first.pk
    assert Enrolment.objects.filter(person=person).count() == 1
    assert AuditEntry.objects.filter(action="pension.enrolment.register").count() == 1
    assert GradeChoice.objects.get(person=person).amount == Decimal("300")
    assert list(first.events.values_list("kind", flat=True)) == ["applied", "grade"]


def test_register_records_event_audit_and_grade(tree, staff, plan):
    person = adult(tree.village_a1)
    enrolment, _ = register(staff, person, grade=Decimal("500"), note="本人到村申请")
    assert enrolment.first_grade == Decimal("500")
    assert enrolment.village_id == tree.village_a1.code
    assert enrolment.applied_by == staff[Role.VILLAGE_ASSISTANT]
    entry = AuditEntry.objects.get(action="pension.enrolment.register")
    assert entry.object_id == str(enrolment.pk)
    assert entry.region_code == tree.village_a1.code
    assert entry.after["status"] == "pending_township"
    assert EnrolmentEvent.objects.filter(enrolment=enrolment, kind="applied").count() == 1
    choice = GradeChoice.objects.get(person=person)
    assert (choice.year, choice.amount) == (services.today().year, Decimal("500"))


def test_register_with_a_grade_not_in_the_plan_lists_the_valid_grades(tree, staff, plan):
    person = adult(tree.village_a1)
    with pytest.raises(ValidationError) as refused:
        register(staff, person, grade="250")
    message = refused.value.message_dict["amount"][0]
    assert "没有250元这一档" in message and "100、200、300" in message and "2000" in message
    assert not Enrolment.objects.exists()


def test_register_outside_scope_is_404_and_needs_permission(tree, staff, plan):
    neighbour = adult(tree.village_a2)
    with pytest.raises(Http404):
        register(staff, neighbour)
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_register(acting_user=staff[Role.FINANCE], person=neighbour)


def test_register_future_application_date_is_refused(tree, staff, plan):
    person = adult(tree.village_a1)
    with pytest.raises(ValidationError, match="申请日期不能晚于今天"):
        register(staff, person, applied_on=services.today() + datetime.timedelta(days=1))


# --------------------------------------------------------------------------- flow


def test_whole_flow_village_township_county(tree, staff, plan):
    person = adult(tree.village_a1)
    enrolment, _ = register(staff, person)
    # the county may not skip the township step
    with pytest.raises(ValidationError, match="不能县级审核"):
        services.enrolment_county_approve(acting_user=staff[Role.COUNTY_CLERK], enrolment=enrolment)
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_township_approve(
            acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=enrolment
        )
    enrolment = services.enrolment_township_approve(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment
    )
    assert enrolment.status == Status.PENDING_COUNTY
    assert enrolment.township_checked_by == staff[Role.TOWNSHIP_CLERK]
    with pytest.raises(ValidationError, match="不能乡镇审核"):
        services.enrolment_township_approve(
            acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment
        )
    enrolment = services.enrolment_county_approve(
        acting_user=staff[Role.COUNTY_ADMIN], enrolment=enrolment
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.PAYING
    assert enrolment.registered_on == services.today()
    assert list(enrolment.events.values_list("kind", flat=True)) == [
        "applied",
        "township_approved",
        "county_approved",
    ]
    assert [entry.action for entry in AuditEntry.objects.filter(object_id=str(enrolment.pk))].count(
        "pension.enrolment.approve_county"
    ) == 1


def test_township_clerk_of_another_township_gets_404(tree, staff, plan):
    person = adult(tree.village_b1)
    enrolment, _ = services.enrolment_register(acting_user=staff[Role.COUNTY_CLERK], person=person)
    with pytest.raises(Http404):
        services.enrolment_township_approve(
            acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment
        )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.PENDING_TOWNSHIP


def test_county_rechecks_the_employee_list(tree, staff, plan):
    person = adult(tree.village_a1)
    enrolment, _ = register(staff, person)
    services.enrolment_township_approve(acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment)
    EmployeeSchemeMember.objects.create(id_number=person.id_number, region=tree.county)
    with pytest.raises(ValidationError, match="职工养老保险参保名单"):
        services.enrolment_county_approve(acting_user=staff[Role.COUNTY_CLERK], enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.PENDING_COUNTY


def test_county_refuses_a_suspected_duplicate(tree, staff, plan):
    first = adult(tree.village_a1, name="王芳")
    enrol_paying(staff, first)
    twin = PersonFactory(village=tree.village_a2, name="王芳", birth_date=first.birth_date)
    enrolment, _ = services.enrolment_register(acting_user=staff[Role.COUNTY_CLERK], person=twin)
    services.enrolment_township_approve(acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment)
    with pytest.raises(ValidationError, match="疑似重复参保"):
        services.enrolment_county_approve(acting_user=staff[Role.COUNTY_CLERK], enrolment=enrolment)


def test_rejections_at_township_and_county_need_a_reason(tree, staff, plan):
    one, two = adult(tree.village_a1), adult(tree.village_a1)
    first, _ = register(staff, one)
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.enrolment_reject(
            acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=first, reason="  "
        )
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_reject(
            acting_user=staff[Role.COUNTY_CLERK], enrolment=first, reason="材料不全"
        )
    first = services.enrolment_reject(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=first, reason="户口簿复印件不清楚"
    )
    assert first.status == Status.REJECTED and first.rejection_reason == "户口簿复印件不清楚"
    second, _ = register(staff, two)
    services.enrolment_township_approve(acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=second)
    second.refresh_from_db()
    second = services.enrolment_reject(
        acting_user=staff[Role.COUNTY_CLERK], enrolment=second, reason="在校学生"
    )
    assert second.status == Status.REJECTED
    assert second.events.get(kind="rejected").detail == {"level": "county", "reason": "在校学生"}
    # a rejected application may be made again: a new enrolment row
    again, created = register(staff, one)
    assert created and again.pk != first.pk
    assert AuditEntry.objects.filter(action="pension.enrolment.reject").count() == 2


def test_bulk_township_approve_is_all_or_nothing(tree, staff, plan):
    people = [adult(tree.village_a1) for _ in range(3)]
    ids = [register(staff, person)[0].pk for person in people]
    other = adult(tree.village_b1)
    outside, _ = services.enrolment_register(acting_user=staff[Role.COUNTY_CLERK], person=other)
    clerk = staff[Role.TOWNSHIP_CLERK]
    with pytest.raises(Http404):
        services.enrolment_township_approve_many(acting_user=clerk, ids=[*ids, outside.pk])
    with pytest.raises(Http404):
        services.enrolment_township_approve_many(acting_user=clerk, ids=[*ids, 999999])
    assert Enrolment.objects.filter(status=Status.PENDING_TOWNSHIP).count() == 4
    services.enrolment_township_approve(
        acting_user=clerk, enrolment=Enrolment.objects.get(pk=ids[0])
    )
    with pytest.raises(ValidationError, match="不在待乡镇审核状态"):
        services.enrolment_township_approve_many(acting_user=clerk, ids=ids)
    assert Enrolment.objects.filter(pk__in=ids[1:], status=Status.PENDING_TOWNSHIP).count() == 2
    assert services.enrolment_township_approve_many(acting_user=clerk, ids=ids[1:]) == 2
    assert Enrolment.objects.filter(pk__in=ids, status=Status.PENDING_COUNTY).count() == 3
    assert EnrolmentEvent.objects.filter(kind="township_approved").count() == 3
    entries = AuditEntry.objects.filter(action="pension.enrolment.approve_township_many")
    assert entries.count() == 1 and entries.get().after["count"] == 2


def test_bulk_approve_needs_the_township_role(tree, staff, plan):
    enrolment, _ = register(staff, adult(tree.village_a1))
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_township_approve_many(
            acting_user=staff[Role.COUNTY_ADMIN], ids=[enrolment.pk]
        )


# --------------------------------------------------------------------------- lifecycle


def test_pause_resume_and_close_with_reasons(tree, staff, plan):
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    clerk = staff[Role.COUNTY_CLERK]
    with pytest.raises(ValidationError, match="暂停原因"):
        services.enrolment_pause(acting_user=clerk, enrolment=enrolment, reason="bored")
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_pause(
            acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=enrolment, reason="unreachable"
        )
    enrolment = services.enrolment_pause(
        acting_user=clerk, enrolment=enrolment, reason="employee_scheme", note="已到企业上班"
    )
    assert (enrolment.status, enrolment.pause_reason) == (Status.PAUSED, "employee_scheme")
    with pytest.raises(ValidationError, match="不能暂停缴费"):
        services.enrolment_pause(acting_user=clerk, enrolment=enrolment, reason="other")
    # on the employee list: may not resume
    member = EmployeeSchemeMember.objects.create(id_number=person.id_number, region=tree.county)
    with pytest.raises(ValidationError, match="职工养老保险参保名单"):
        services.enrolment_resume(acting_user=clerk, enrolment=enrolment)
    member.delete()
    enrolment = services.enrolment_resume(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment
    )
    assert (enrolment.status, enrolment.pause_reason) == (Status.PAYING, "")
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_close(
            acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolment, reason="death"
        )
    with pytest.raises(ValidationError, match="注销原因"):
        services.enrolment_close(acting_user=clerk, enrolment=enrolment, reason="gone")
    day = services.today()
    enrolment = services.enrolment_close(
        acting_user=clerk, enrolment=enrolment, reason="death", closed_on=day
    )
    assert (enrolment.status, enrolment.close_reason, enrolment.closed_on) == (
        Status.TERMINATED,
        "death",
        day,
    )
    assert list(enrolment.events.values_list("kind", "reason")) == [
        ("applied", ""),
        ("township_approved", ""),
        ("county_approved", ""),
        ("paused", "employee_scheme"),
        ("resumed", ""),
        ("closed", "death"),
    ]
    actions = set(
        AuditEntry.objects.filter(object_id=str(enrolment.pk)).values_list("action", flat=True)
    )
    assert {
        "pension.enrolment.pause",
        "pension.enrolment.resume",
        "pension.enrolment.close",
    } <= actions
    # terminated: a new registration is possible again
    assert services.active_enrolment(person) is None


def test_pending_enrolment_cannot_be_closed(tree, staff, plan):
    enrolment, _ = register(staff, adult(tree.village_a1))
    with pytest.raises(ValidationError, match="未审核完的登记请退回"):
        services.enrolment_close(
            acting_user=staff[Role.COUNTY_CLERK], enrolment=enrolment, reason="other"
        )


def test_start_receiving(tree, staff, plan):
    enrolment = enrol_paying(staff, adult(tree.village_a1))
    enrolment = services.enrolment_start_receiving(
        acting_user=staff[Role.COUNTY_CLERK], enrolment=enrolment
    )
    assert enrolment.status == Status.RECEIVING
    assert enrolment.events.last().kind == "receiving"


def test_change_registration_records_before_and_after(tree, staff, plan):
    enrolment = enrol_paying(staff, adult(tree.village_a1))
    clerk = staff[Role.TOWNSHIP_CLERK]
    with pytest.raises(PermissionDeniedForRole):
        services.enrolment_change(
            acting_user=staff[Role.VILLAGE_ASSISTANT], enrolment=enrolment, note="x"
        )
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.enrolment_change(
            acting_user=clerk, enrolment=enrolment, village_code=tree.village_b1.code
        )
    enrolment = services.enrolment_change(
        acting_user=clerk,
        enrolment=enrolment,
        village_code=tree.village_a2.code,
        note="迁入西门村",
        reason="户口迁移",
    )
    assert enrolment.village_id == tree.village_a2.code
    event = enrolment.events.get(kind="changed")
    assert event.detail["before"] == {"village_id": tree.village_a1.code, "note": ""}
    assert event.detail["after"] == {"village_id": tree.village_a2.code, "note": "迁入西门村"}
    entry = AuditEntry.objects.get(action="pension.enrolment.change")
    assert entry.reason == "户口迁移"
    # the same change again writes nothing
    services.enrolment_change(
        acting_user=clerk, enrolment=enrolment, village_code=tree.village_a2.code, note="迁入西门村"
    )
    assert AuditEntry.objects.filter(action="pension.enrolment.change").count() == 1
    assert enrolment.events.filter(kind="changed").count() == 1


# --------------------------------------------------------------------------- grades


def test_grade_for_is_the_lowest_without_a_choice(tree, staff, plan):
    person = adult(tree.village_a1)
    assert services.grade_for(person, plan.year, plan) == Decimal("100")
    enrol_paying(staff, person)
    services.grade_choose(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, year=plan.year, amount="1000"
    )
    assert services.grade_for(person, plan.year, plan) == Decimal("1000")


def test_grade_choice_validates_and_is_idempotent(tree, staff, plan):
    person = adult(tree.village_a1)
    enrol_paying(staff, person)
    assistant = staff[Role.VILLAGE_ASSISTANT]
    with pytest.raises(ValidationError) as refused:
        services.grade_choose(acting_user=assistant, person=person, year=plan.year, amount="150")
    assert "可选档次：100、200、300、400、500、600、700、800、900、1000、1500、2000元" in str(
        refused.value
    )
    with pytest.raises(ValidationError, match="没有适用于本村的缴费方案"):
        services.grade_choose(
            acting_user=assistant, person=person, year=plan.year + 5, amount="100"
        )
    services.grade_choose(acting_user=assistant, person=person, year=plan.year, amount="300")
    services.grade_choose(acting_user=assistant, person=person, year=plan.year, amount="300.00")
    assert GradeChoice.objects.get(person=person).amount == Decimal("300")
    assert AuditEntry.objects.filter(action="pension.grade.choose").count() == 1
    services.grade_choose(acting_user=assistant, person=person, year=plan.year, amount=600)
    assert GradeChoice.objects.filter(person=person).count() == 1
    assert GradeChoice.objects.get(person=person).amount == Decimal("600")
    entries = AuditEntry.objects.filter(action="pension.grade.choose").order_by("pk")
    assert entries.count() == 2 and entries.last().before == {"amount": "300.00"}


def test_grade_choice_needs_an_enrolment_scope_and_permission(tree, staff, plan):
    person = adult(tree.village_a1)
    with pytest.raises(ValidationError, match="尚未参加城乡居保"):
        services.grade_choose(
            acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, year=plan.year, amount=100
        )
    neighbour = adult(tree.village_a2)
    with pytest.raises(Http404):
        services.grade_choose(
            acting_user=staff[Role.VILLAGE_ASSISTANT], person=neighbour, year=plan.year, amount=100
        )
    with pytest.raises(PermissionDeniedForRole):
        services.grade_choose(
            acting_user=staff[Role.FINANCE], person=person, year=plan.year, amount=100
        )


def test_grade_choice_reprices_only_the_difference_for_a_government_paid_person(tree, staff, plan):
    """The government pays the lowest grade (100): choosing 500 leaves 400 to pay, with
    the subsidy above the lowest grade's; choosing 100 again cancels the difference due."""
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    PensionDueFactory(
        person=person, plan=plan, amount="100", enrolment=enrolment
    )  # the difference due, 300 → 100
    government = Due.objects.filter(person=person).get()
    Due.objects.filter(pk=government.pk).update(kind=DueKind.GOVERNMENT_PAID)
    difference = PensionDueFactory(person=person, plan=plan, amount="300", enrolment=enrolment)
    assistant = staff[Role.VILLAGE_ASSISTANT]
    services.grade_choose(acting_user=assistant, person=person, year=plan.year, amount="500")
    difference.refresh_from_db()
    full = rules.subsidy_for(plan.grades.all(), Decimal("500"))
    lowest = rules.subsidy_for(plan.grades.all(), Decimal("100"))
    assert (difference.contribution.grade, difference.amount) == (Decimal("500"), Decimal("400"))
    assert (
        difference.contribution.subsidy_province,
        difference.contribution.subsidy_city,
        difference.contribution.subsidy_county,
    ) == tuple(a - b for a, b in zip(full, lowest, strict=True))
    services.grade_choose(acting_user=assistant, person=person, year=plan.year, amount="100")
    difference.refresh_from_db()
    assert difference.status == DueStatus.CANCELLED


def test_grade_choice_reprices_an_open_due(tree, staff, plan):
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    due = PensionDueFactory(person=person, plan=plan, amount="100", enrolment=enrolment)
    services.grade_choose(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, year=plan.year, amount="500"
    )
    due.refresh_from_db()
    grade = plan.grades.get(amount=Decimal("500"))
    assert (due.contribution.grade, due.amount) == (Decimal("500"), Decimal("500"))
    assert (
        due.contribution.subsidy_province,
        due.contribution.subsidy_city,
        due.contribution.subsidy_county,
    ) == (
        grade.subsidy_province,
        grade.subsidy_city,
        grade.subsidy_county,
    )
    entry = AuditEntry.objects.get(action="pension.grade.choose")
    assert entry.after["due"] == {"id": due.pk, "grade": "500.00", "amount": "500.00"}


@pytest.mark.parametrize(
    "status", [DueStatus.IN_BATCH, DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED]
)
def test_grade_choice_refused_once_the_due_is_withheld_or_paid(tree, staff, plan, status):
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    due = PensionDueFactory(
        person=person, plan=plan, amount="100", enrolment=enrolment, status=status
    )
    with pytest.raises(ValidationError, match="本年度已缴费或正在代扣，不能再改档次"):
        services.grade_choose(
            acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, year=plan.year, amount="500"
        )
    due.refresh_from_db()
    assert due.contribution.grade == Decimal("100")
    assert not GradeChoice.objects.filter(person=person).exists()

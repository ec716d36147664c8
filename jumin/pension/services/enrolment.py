"""Writes of enrolment (参保登记) and grade choice (缴费档次), POLICY §2.1 and §2.8 item 1.

Every act is one transaction that writes the change, one ``EnrolmentEvent`` (the history the
clerk reads) and one audit entry. The flow:

    village (register) → township (approve / reject) → county (approve / reject) → paying
    paying ⇄ paused;  paying / paused → receiving;  paying / paused / receiving → terminated

Every change of status goes through ``enrolment_transition``: ``TRANSITIONS`` is the one
table of the steps allowed from each status and where they lead.

Eligibility is checked on the application date against the plan in force for the person's
village and that year (``minimum_age`` is data). A repeated registration of a person who is
already pending or enrolled returns the existing enrolment and writes nothing.
"""

import datetime
import enum
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from jumin.collection.models import Due, DueKind, DueStatus, DueStep
from jumin.core import audit, money
from jumin.core.access import in_scope, require, require_any, scope
from jumin.core.models import Region, RegionLevel
from jumin.core.money import MoneyError
from jumin.core.parsing import parse_id
from jumin.pension import rules
from jumin.pension.models import (
    ACTIVE_STATUSES,
    SCHEME,
    CloseReason,
    ContributionDue,
    ContributionPlan,
    EmployeeSchemeMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GradeChoice,
    PauseReason,
)
from jumin.pension.registry import PensionAction
from jumin.people.models import DuplicateReview, Person

Kind = EnrolmentEvent.Kind
Status = EnrolmentStatus

# A due in one of these states has been paid or is being withheld: its grade is fixed.
LOCKED_DUE_STATUSES = (DueStatus.IN_BATCH, DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)
ENROLLED_STATUSES = (Status.PAYING, Status.PAUSED, Status.RECEIVING)
CLOSABLE_STATUSES = (Status.PAYING, Status.PAUSED, Status.RECEIVING)


class Step(enum.StrEnum):
    """The eight acts that change an enrolment's status (registering creates one)."""

    TOWNSHIP_APPROVE = "township_approve"
    TOWNSHIP_REJECT = "township_reject"
    COUNTY_APPROVE = "county_approve"
    COUNTY_REJECT = "county_reject"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"
    START_RECEIVING = "start_receiving"


# (status now, step) → status after; a pair not in the table is refused
TRANSITIONS: dict[tuple[str, Step], str] = {
    (Status.PENDING_TOWNSHIP, Step.TOWNSHIP_APPROVE): Status.PENDING_COUNTY,
    (Status.PENDING_TOWNSHIP, Step.TOWNSHIP_REJECT): Status.REJECTED,
    (Status.PENDING_COUNTY, Step.COUNTY_APPROVE): Status.PAYING,
    (Status.PENDING_COUNTY, Step.COUNTY_REJECT): Status.REJECTED,
    (Status.PAYING, Step.PAUSE): Status.PAUSED,
    (Status.PAUSED, Step.RESUME): Status.PAYING,
    **{(status, Step.CLOSE): Status.TERMINATED for status in CLOSABLE_STATUSES},
    (Status.PAYING, Step.START_RECEIVING): Status.RECEIVING,
    (Status.PAUSED, Step.START_RECEIVING): Status.RECEIVING,
}
# the act as a refusal names it: "该参保登记状态为“已退回”，不能暂停缴费"
STEP_ACTS = {
    Step.TOWNSHIP_APPROVE: "乡镇审核",
    Step.TOWNSHIP_REJECT: "退回",
    Step.COUNTY_APPROVE: "县级审核",
    Step.COUNTY_REJECT: "退回",
    Step.PAUSE: "暂停缴费",
    Step.RESUME: "恢复缴费",
    Step.CLOSE: "注销（未审核完的登记请退回）",
    Step.START_RECEIVING: "开始领取待遇",
}

AUDITED_FIELDS = (
    "status",
    "village_id",
    "full_time_student",
    "first_grade",
    "registered_on",
    "rejection_reason",
    "pause_reason",
    "closed_on",
    "close_reason",
    "note",
)


def today() -> datetime.date:
    return timezone.localdate()


def snapshot(enrolment: Enrolment) -> dict:
    return {field: getattr(enrolment, field) for field in AUDITED_FIELDS}


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


# --------------------------------------------------------------------------- plans and grades


def plan_for(region_code: str, year: int) -> ContributionPlan:
    """The plan in force for a village and year; a Chinese ValidationError when there is none."""
    plan = ContributionPlan.objects.in_force(region_code=region_code, year=year)
    if plan is None:
        raise ValidationError(
            {"year": f"{year}年没有适用于本村的缴费方案，请县级经办机构先建立缴费方案"}
        )
    return plan


def plan_grades(plan: ContributionPlan) -> list:
    return sorted(plan.grades.all(), key=lambda grade: grade.amount)


def grade_amount_text(amount: Decimal) -> str:
    return f"{amount.normalize():f}" if amount == amount.to_integral() else f"{amount}"


def grade_for(person: Person, year: int, plan: ContributionPlan) -> Decimal:
    """The grade the person pays in ``year``: the one chosen, else the plan's lowest."""
    chosen = (
        GradeChoice.objects.filter(person=person, year=year)
        .values_list("amount", flat=True)
        .first()
    )
    if chosen is not None:
        return chosen
    return min(grade.amount for grade in plan.grades.all())


def check_grade(plan: ContributionPlan, amount) -> Decimal:
    """``amount`` as a Decimal grade of ``plan``; a ValidationError listing the valid grades."""
    grades = plan_grades(plan)
    valid = "、".join(grade_amount_text(grade.amount) for grade in grades)
    try:
        value = money.parse(amount)
    except MoneyError:
        raise ValidationError(
            {"amount": f"缴费档次：“{amount}”不是金额，可选档次：{valid}元"}
        ) from None
    if value not in {grade.amount for grade in grades}:
        raise ValidationError(
            {
                "amount": f"缴费档次：{plan.year}年没有{grade_amount_text(value)}元这一档，"
                f"可选档次：{valid}元"
            }
        )
    return value


# --------------------------------------------------------------------------- eligibility


def in_employee_scheme(id_number: str) -> bool:
    return EmployeeSchemeMember.objects.filter(id_number=id_number).exists()


def active_enrolment(person: Person) -> Enrolment | None:
    return (
        Enrolment.objects.filter(person=person, status__in=ACTIVE_STATUSES)
        .select_related("village")
        .first()
    )


def refusals_for(
    person: Person,
    *,
    on: datetime.date,
    full_time_student: bool,
    plan: ContributionPlan,
    ignore: Enrolment | None = None,
) -> list[str]:
    """Why ``person`` may not enrol on ``on`` (empty if eligible); reads the employee list and
    the enrolments, then asks the pure rule."""
    others = Enrolment.objects.filter(person=person, status__in=ACTIVE_STATUSES)
    if ignore is not None:
        others = others.exclude(pk=ignore.pk)
    return rules.enrolment_refusals(
        birth_date=person.birth_date,
        on=on,
        death_date=person.death_date,
        full_time_student=full_time_student,
        in_employee_scheme=in_employee_scheme(person.id_number),
        already_enrolled=others.exists(),
        minimum_age=plan.minimum_age,
    )


def suspected_duplicates(person: Person) -> list[Person]:
    """Other persons with the same name and birth date who are enrolled, unless a clerk has
    reviewed the pair as two different people (people.DuplicateReview)."""
    reviewed = DuplicateReview.objects.filter(
        decision=DuplicateReview.Decision.DIFFERENT_PEOPLE
    ).filter(
        Q(person_low=person, person_high=OuterRef("pk"))
        | Q(person_high=person, person_low=OuterRef("pk"))
    )
    enrolled = Enrolment.objects.filter(person=OuterRef("pk"), status__in=ENROLLED_STATUSES)
    return list(
        Person.objects.filter(name=person.name, birth_date=person.birth_date)
        .exclude(pk=person.pk)
        .filter(Exists(enrolled))
        .exclude(Exists(reviewed))
    )


# --------------------------------------------------------------------------- helpers


def _in_scope_or_404(acting_user, region_code: str) -> None:
    if not in_scope(acting_user, region_code):
        raise Http404


def _locked(acting_user, enrolment: Enrolment) -> Enrolment:
    """The enrolment re-read with a row lock, through the user's scope (404 outside)."""
    try:
        # of=self: the scope joins the person, whose row the act does not change
        locked = Enrolment.objects.select_for_update(of=("self",))
        return scope(locked, acting_user).get(pk=enrolment.pk)
    except Enrolment.DoesNotExist as error:
        raise Http404 from error


def _event(enrolment: Enrolment, *, kind: str, actor, reason: str = "", detail=None):
    return EnrolmentEvent.objects.create(
        enrolment=enrolment,
        village_id=enrolment.village_id,
        kind=kind,
        reason=reason,
        detail=audit.jsonable(detail or {}),
        actor=actor,
    )


def _save(enrolment: Enrolment, fields: list[str]) -> None:
    enrolment.updated_at = timezone.now()
    enrolment.save(update_fields=[*fields, "updated_at"])


def _expect(enrolment: Enrolment, allowed, act: str) -> None:
    """For an act that keeps the status (a change): refused outside ``allowed``."""
    if enrolment.status not in allowed:
        raise _refusal(enrolment.status, act)


def _refusal(status: str, act: str) -> ValidationError:
    return ValidationError({"status": f"该参保登记状态为“{status_label(status)}”，不能{act}"})


def enrolment_transition(
    enrolment: Enrolment,
    step: Step,
    *,
    acting_user,
    action: PensionAction,
    event_kind: str,
    changes: dict | Callable[[Enrolment], dict] | None = None,
    event_reason: str = "",
    event_detail: dict | Callable[[Enrolment, dict], dict] | None = None,
    audit_reason: str = "",
) -> Enrolment:
    """Take ``step`` on the enrolment: lock its row (through the user's scope, 404 outside),
    refuse the step unless ``TRANSITIONS`` allows it from the status it has now, write the
    new status with ``changes`` (a dict, or a function of the locked row that may refuse by
    raising), one event and one audit entry, all in one transaction; return the locked row.

    ``event_detail`` is a dict or a function of (the locked row, its snapshot before)."""
    with transaction.atomic():
        enrolment = _locked(acting_user, enrolment)
        target = TRANSITIONS.get((enrolment.status, step))
        if target is None:
            raise _refusal(enrolment.status, STEP_ACTS[step])
        values = changes(enrolment) if callable(changes) else dict(changes or {})
        before = snapshot(enrolment)
        enrolment.status = target
        for field, value in values.items():
            setattr(enrolment, field, value)
        _save(enrolment, ["status", *values])
        detail = event_detail(enrolment, before) if callable(event_detail) else event_detail
        _event(enrolment, kind=event_kind, actor=acting_user, reason=event_reason, detail=detail)
        audit.record(
            actor=acting_user,
            action=action,
            obj=enrolment,
            before=before,
            after=snapshot(enrolment),
            reason=audit_reason,
        )
    return enrolment


def _reason_text(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"{what}：必须填写原因"})
    if len(reason) > 200:
        raise ValidationError({"reason": f"{what}：原因最多200个字"})
    return reason


# --------------------------------------------------------------------------- register


def enrolment_register(
    *,
    acting_user,
    person: Person,
    applied_on: datetime.date | None = None,
    full_time_student: bool = False,
    grade=None,
    note: str = "",
) -> tuple[Enrolment, bool]:
    """Register ``person`` (village step). Returns ``(enrolment, created)``: a person already
    pending or enrolled gets the existing enrolment back and nothing is written."""
    require(acting_user, "enrolment.register")
    _in_scope_or_404(acting_user, person.village_id)
    existing = active_enrolment(person)
    if existing is not None:
        return existing, False
    applied_on = applied_on or today()
    if applied_on > today():
        raise ValidationError({"applied_on": "申请日期不能晚于今天"})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": "备注最多200个字"})
    plan = plan_for(person.village_id, applied_on.year)
    amount = check_grade(plan, grade) if grade not in (None, "") else None
    refusals = refusals_for(person, on=applied_on, full_time_student=full_time_student, plan=plan)
    if refusals:
        raise ValidationError({"person": refusals})
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                person=person,
                village_id=person.village_id,
                status=Status.PENDING_TOWNSHIP,
                applied_on=applied_on,
                applied_by=acting_user,
                full_time_student=full_time_student,
                first_grade=amount,
                note=note,
            )
            _event(
                enrolment,
                kind=Kind.APPLIED,
                actor=acting_user,
                detail={"applied_on": applied_on, "grade": amount, "plan": plan.pk},
            )
            if amount is not None:
                _grade_upsert(acting_user, person, applied_on.year, amount, plan)
            audit.record(
                actor=acting_user,
                action=PensionAction.ENROLMENT_REGISTER,
                obj=enrolment,
                object_label=f"{person.name} 参保登记",
                after=snapshot(enrolment),
            )
    except IntegrityError:
        # A concurrent submit registered the same person first: answer with that one.
        existing = active_enrolment(person)
        if existing is None:
            raise
        return existing, False
    return enrolment, True


# --------------------------------------------------------------------------- township


def enrolment_township_approve(*, acting_user, enrolment: Enrolment) -> Enrolment:
    require(acting_user, "enrolment.approve_township")
    return enrolment_transition(
        enrolment,
        Step.TOWNSHIP_APPROVE,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_APPROVE_TOWNSHIP,
        event_kind=Kind.TOWNSHIP_APPROVED,
        changes={"township_checked_by": acting_user, "township_checked_at": timezone.now()},
    )


def enrolment_township_approve_many(*, acting_user, ids) -> int:
    """Approve a list of enrolments at the township, all or nothing. An id outside the
    user's scope (or unknown) → Http404; one not waiting for the township → ValidationError
    naming it. One audit entry for the whole list."""
    require(acting_user, "enrolment.approve_township")
    parsed = {parse_id(pk) for pk in ids}
    if None in parsed:  # not an id, or one past what the database holds: like an unknown id
        raise Http404
    wanted = sorted(parsed)
    if not wanted:
        raise ValidationError({"ids": "请至少勾选一条参保登记"})
    with transaction.atomic():
        rows = list(
            scope(Enrolment.objects.select_for_update(of=("self",)), acting_user)
            .filter(pk__in=wanted)
            .select_related("person")
        )
        if len(rows) != len(wanted):
            raise Http404
        wrong = [row for row in rows if (row.status, Step.TOWNSHIP_APPROVE) not in TRANSITIONS]
        if wrong:
            names = "、".join(f"{row.person.name}（{status_label(row.status)}）" for row in wrong)
            raise ValidationError({"ids": f"以下参保登记不在待乡镇审核状态，未作任何审核：{names}"})
        now = timezone.now()
        # all of them pending at the township (checked above): one UPDATE by the same table
        target = TRANSITIONS[(Status.PENDING_TOWNSHIP, Step.TOWNSHIP_APPROVE)]
        Enrolment.objects.filter(pk__in=wanted).update(
            status=target,
            township_checked_by=acting_user,
            township_checked_at=now,
            updated_at=now,
        )
        EnrolmentEvent.objects.bulk_create(
            EnrolmentEvent(
                enrolment=row,
                village_id=row.village_id,
                kind=Kind.TOWNSHIP_APPROVED,
                actor=acting_user,
                at=now,
                detail={"bulk": True},
            )
            for row in rows
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.ENROLMENT_APPROVE_TOWNSHIP_MANY,
            object_type="pension.enrolment",
            object_id=",".join(str(pk) for pk in wanted)[:64],
            object_label=f"乡镇批量审核 {len(wanted)} 条",
            region_code=acting_user.region_id or "",
            after={"ids": wanted, "count": len(wanted), "status": target},
        )
    return len(wanted)


# --------------------------------------------------------------------------- county


def enrolment_county_approve(*, acting_user, enrolment: Enrolment) -> Enrolment:
    """The county's check (POLICY §2.8: employee scheme, duplicates, alive) and registration."""
    require(acting_user, "enrolment.approve_county")

    def checked(enrolment: Enrolment) -> dict:
        person = Person.objects.get(pk=enrolment.person_id)
        problems = []
        if person.death_date is not None:
            problems.append(f"参保人已于{person.death_date:%Y-%m-%d}死亡")
        if in_employee_scheme(person.id_number):
            problems.append("参保人在职工养老保险参保名单中")
        for other in suspected_duplicates(person):
            problems.append(
                f"疑似重复参保：同名同出生日期的{other.name}（{other.village_id}）已参保，"
                "请先在“疑似重复”页面核实"
            )
        if problems:
            raise ValidationError({"person": [f"不能登记：{problem}" for problem in problems]})
        return {
            "county_checked_by": acting_user,
            "county_checked_at": timezone.now(),
            "registered_on": today(),
        }

    return enrolment_transition(
        enrolment,
        Step.COUNTY_APPROVE,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_APPROVE_COUNTY,
        event_kind=Kind.COUNTY_APPROVED,
        changes=checked,
        event_detail=lambda enrolment, before: {"registered_on": enrolment.registered_on},
    )


def enrolment_approve(*, acting_user, enrolment: Enrolment) -> Enrolment:
    """The next approval the enrolment waits for: the township's or the county's."""
    if enrolment.status == Status.PENDING_TOWNSHIP:
        return enrolment_township_approve(acting_user=acting_user, enrolment=enrolment)
    if enrolment.status == Status.PENDING_COUNTY:
        return enrolment_county_approve(acting_user=acting_user, enrolment=enrolment)
    raise ValidationError(
        {"status": f"该参保登记状态为“{status_label(enrolment.status)}”，不需要审核"}
    )


def review_permission(enrolment: Enrolment) -> str | None:
    """The permission the step the enrolment waits for needs (township or county), if any."""
    return {
        Status.PENDING_TOWNSHIP: "enrolment.approve_township",
        Status.PENDING_COUNTY: "enrolment.approve_county",
    }.get(enrolment.status)


def require_reviewer(acting_user, enrolment: Enrolment) -> None:
    """Before a review page reads its form: the pending step's permission, or either step's
    when nothing is pending (the service then explains the status)."""
    permission = review_permission(enrolment)
    if permission is None:
        require_any(acting_user, "enrolment.approve_township", "enrolment.approve_county")
    else:
        require(acting_user, permission)


def enrolment_reject(*, acting_user, enrolment: Enrolment, reason: str) -> Enrolment:
    """Send an application back (退回) at the township or the county step, with a reason."""
    permission = review_permission(enrolment)
    if permission is None:
        raise _refusal(enrolment.status, STEP_ACTS[Step.TOWNSHIP_REJECT])
    require(acting_user, permission)
    reason = _reason_text(reason, "退回")
    township = enrolment.status == Status.PENDING_TOWNSHIP
    level = "township" if township else "county"
    checked = (
        {"township_checked_by": acting_user, "township_checked_at": timezone.now()}
        if township
        else {"county_checked_by": acting_user, "county_checked_at": timezone.now()}
    )
    return enrolment_transition(
        enrolment,
        Step.TOWNSHIP_REJECT if township else Step.COUNTY_REJECT,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_REJECT,
        event_kind=Kind.REJECTED,
        changes={"rejection_reason": reason, **checked},
        event_detail={"level": level, "reason": reason},
        audit_reason=reason,
    )


# --------------------------------------------------------------------------- changes


def enrolment_change(
    *,
    acting_user,
    enrolment: Enrolment,
    full_time_student: bool | None = None,
    note: str | None = None,
    village_code: str | None = None,
    reason: str = "",
) -> Enrolment:
    """变更登记: the student flag, the note or the village of an active enrolment. Only what
    differs is written; nothing different → no event, no audit."""
    require(acting_user, "enrolment.change")
    with transaction.atomic():
        enrolment = _locked(acting_user, enrolment)
        _expect(enrolment, ACTIVE_STATUSES, "变更登记")
        before = snapshot(enrolment)
        changes = {}
        if full_time_student is not None and full_time_student != enrolment.full_time_student:
            changes["full_time_student"] = full_time_student
        if note is not None:
            note = note.strip()
            if len(note) > 200:
                raise ValidationError({"note": "备注最多200个字"})
            if note != enrolment.note:
                changes["note"] = note
        if village_code and village_code != enrolment.village_id:
            village = Region.objects.filter(code=village_code, level=RegionLevel.VILLAGE).first()
            if village is None or not in_scope(acting_user, village_code):
                raise ValidationError(
                    {"village": f"村（社区）代码{village_code}不存在或不在您的管辖范围内"}
                )
            changes["village_id"] = village.code
        if not changes:
            return enrolment
        for field, value in changes.items():
            setattr(enrolment, field, value)
        _save(enrolment, list(changes))
        after = snapshot(enrolment)
        _event(
            enrolment,
            kind=Kind.CHANGED,
            actor=acting_user,
            reason="",
            detail={
                "before": {field: before[field] for field in changes},
                "after": {field: after[field] for field in changes},
                "reason": (reason or "").strip()[:200],
            },
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.ENROLMENT_CHANGE,
            obj=enrolment,
            before={field: before[field] for field in changes},
            after={field: after[field] for field in changes},
            reason=(reason or "").strip()[:200],
        )
    return enrolment


def enrolment_pause(*, acting_user, enrolment: Enrolment, reason: str, note: str = "") -> Enrolment:
    """暂停缴费 with a coded reason (PauseReason)."""
    require(acting_user, "enrolment.change")
    if reason not in PauseReason.values:
        raise ValidationError(
            {"reason": "暂停原因：只能是" + "、".join(str(label) for label in PauseReason.labels)}
        )
    return enrolment_transition(
        enrolment,
        Step.PAUSE,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_PAUSE,
        event_kind=Kind.PAUSED,
        changes={"pause_reason": reason},
        event_reason=reason,
        event_detail={"note": (note or "").strip()[:200]},
        audit_reason=str(PauseReason(reason).label),
    )


def enrolment_resume(*, acting_user, enrolment: Enrolment, note: str = "") -> Enrolment:
    """恢复缴费: paused → paying. Refused while the person is on the employee-scheme list."""
    require(acting_user, "enrolment.change")

    def checked(enrolment: Enrolment) -> dict:
        person = Person.objects.get(pk=enrolment.person_id)
        if person.death_date is not None:
            raise ValidationError({"person": "参保人已死亡，不能恢复缴费，请办理注销登记"})
        if in_employee_scheme(person.id_number):
            raise ValidationError({"person": "参保人仍在职工养老保险参保名单中，不能恢复缴费"})
        return {"pause_reason": ""}

    return enrolment_transition(
        enrolment,
        Step.RESUME,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_RESUME,
        event_kind=Kind.RESUMED,
        changes=checked,
        event_detail=lambda enrolment, before: {
            "note": (note or "").strip()[:200],
            "paused_for": before["pause_reason"],
        },
    )


def enrolment_close(
    *,
    acting_user,
    enrolment: Enrolment,
    reason: str,
    closed_on: datetime.date | None = None,
    note: str = "",
) -> Enrolment:
    """注销登记 with a coded reason (CloseReason) and date → terminated."""
    require(acting_user, "enrolment.close")
    if reason not in CloseReason.values:
        raise ValidationError(
            {"reason": "注销原因：只能是" + "、".join(str(label) for label in CloseReason.labels)}
        )
    closed_on = closed_on or today()
    if closed_on > today():
        raise ValidationError({"closed_on": "注销日期不能晚于今天"})

    def checked(enrolment: Enrolment) -> dict:
        if enrolment.registered_on and closed_on < enrolment.registered_on:
            raise ValidationError(
                {"closed_on": f"注销日期不能早于登记日期{enrolment.registered_on:%Y-%m-%d}"}
            )
        return {"close_reason": reason, "closed_on": closed_on}

    return enrolment_transition(
        enrolment,
        Step.CLOSE,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_CLOSE,
        event_kind=Kind.CLOSED,
        changes=checked,
        event_reason=reason,
        event_detail={"closed_on": closed_on, "note": (note or "").strip()[:200]},
        audit_reason=str(CloseReason(reason).label),
    )


def enrolment_start_receiving(
    *, acting_user, enrolment: Enrolment, on: datetime.date | None = None, detail=None
) -> Enrolment:
    """For the benefits issue: paying or paused → receiving (领取待遇) from ``on``."""
    require(acting_user, "enrolment.change")
    return start_receiving(acting_user=acting_user, enrolment=enrolment, on=on, detail=detail)


def start_receiving(
    *, acting_user, enrolment: Enrolment, on: datetime.date | None = None, detail=None
) -> Enrolment:
    """Paying or paused → receiving, for a caller whose own permission carries the change (the
    award's ``award.decide``); inside the caller's transaction, audited."""
    on = on or today()
    return enrolment_transition(
        enrolment,
        Step.START_RECEIVING,
        acting_user=acting_user,
        action=PensionAction.ENROLMENT_START_RECEIVING,
        event_kind=Kind.RECEIVING,
        changes={"pause_reason": ""},
        event_detail={"from": on, **(detail or {})},
    )


# --------------------------------------------------------------------------- grade choice


def _reprice_open_due(due, grade: Decimal) -> dict:
    """Re-price an open personal due for a new grade, inside the caller's transaction.

    For a person the government pays for (a government-paid due of the same year), the
    personal due is only the difference above what the government pays, with the subsidy
    split of ``services.dues.government_paid_split``; a grade the government already covers
    cancels the difference due."""
    contribution = due.contribution
    plan = contribution.plan
    grades = list(plan.grades.all())
    full = rules.subsidy_for(grades, grade)
    government = (
        Due.objects.filter(
            person_id=due.person_id,
            scheme=SCHEME,
            year=due.year,
            kind=DueKind.GOVERNMENT_PAID,
        )
        .exclude(status=DueStatus.CANCELLED)
        .first()
    )
    amount = grade
    if government is not None:
        amount = grade - government.amount
        if amount <= 0:
            Due.objects.filter(pk=due.pk).transition(DueStep.CANCEL)
            return {"id": due.pk, "status": DueStatus.CANCELLED}
        if plan.government_paid_subsidised:
            lowest = rules.subsidy_for(grades, min(g.amount for g in grades))
            full = tuple(max(Decimal("0"), a - b) for a, b in zip(full, lowest, strict=True))
        else:
            full = (Decimal("0"),) * 3
    Due.objects.filter(pk=due.pk).update(
        amount=amount, subsidy=sum(full, Decimal("0.00")) + contribution.collective_subsidy
    )
    ContributionDue.objects.filter(pk=due.pk).update(
        grade=grade, subsidy_province=full[0], subsidy_city=full[1], subsidy_county=full[2]
    )
    return {"id": due.pk, "grade": grade, "amount": amount}


def _grade_upsert(acting_user, person: Person, year: int, amount: Decimal, plan) -> bool:
    """Store the grade for (person, year) and re-price an open personal due; inside the
    caller's transaction. Returns False when the stored grade is already ``amount``."""
    due = (
        Due.objects.select_for_update()
        .filter(person=person, scheme=SCHEME, year=year, kind=DueKind.PERSONAL)
        .exclude(status=DueStatus.CANCELLED)
        .first()
    )
    grade_now = None
    if due is not None:
        grade_now = ContributionDue.objects.select_related("plan").get(pk=due.pk).grade
    if due is not None and due.status in LOCKED_DUE_STATUSES:
        raise ValidationError({"amount": "本年度已缴费或正在代扣，不能再改档次"})
    choice = GradeChoice.objects.select_for_update().filter(person=person, year=year).first()
    if choice is not None and choice.amount == amount and (due is None or grade_now == amount):
        return False
    before = {"amount": choice.amount if choice else None}
    if choice is None:
        choice = GradeChoice.objects.create(
            person=person,
            village_id=person.village_id,
            year=year,
            amount=amount,
            chosen_by=acting_user,
        )
    else:
        choice.amount = amount
        choice.chosen_by = acting_user
        choice.chosen_at = timezone.now()
        choice.save(update_fields=["amount", "chosen_by", "chosen_at"])
    after = {"amount": amount}
    if due is not None and due.status == DueStatus.OPEN and grade_now != amount:
        before["due"] = {"id": due.pk, "grade": grade_now, "amount": due.amount}
        after["due"] = _reprice_open_due(due, amount)
    enrolment = active_enrolment(person)
    if enrolment is not None:
        _event(
            enrolment,
            kind=Kind.GRADE,
            actor=acting_user,
            detail={"year": year, "before": before["amount"], "after": amount},
        )
    audit.record(
        actor=acting_user,
        action=PensionAction.GRADE_CHOOSE,
        obj=choice,
        object_label=f"{person.name} {year}年缴费档次",
        before=before,
        after=after,
    )
    return True


def grade_choose(*, acting_user, person: Person, year: int, amount) -> GradeChoice:
    """The grade ``person`` pays in ``year`` (upsert per person and year). An open personal
    due of that year is re-priced in the same transaction; a due already in a withholding
    batch or paid refuses the change. Choosing the same grade again changes nothing."""
    require(acting_user, "grade.choose")
    _in_scope_or_404(acting_user, person.village_id)
    if active_enrolment(person) is None:
        raise ValidationError({"person": f"{person.name}尚未参加城乡居保，请先办理参保登记"})
    plan = plan_for(person.village_id, year)
    value = check_grade(plan, amount)
    try:
        with transaction.atomic():
            _grade_upsert(acting_user, person, year, value, plan)
    except IntegrityError:
        # A concurrent request stored the first choice of this year meanwhile: update it.
        with transaction.atomic():
            _grade_upsert(acting_user, person, year, value, plan)
    return GradeChoice.objects.get(person=person, year=year)

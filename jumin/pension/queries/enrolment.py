"""Reads of enrolment, grade choice and the employee-scheme list, always scoped to the user."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from jumin.core.access import can, get_scoped_or_404, require, scope
from jumin.core.models import Region, RegionLevel
from jumin.pension.models import (
    ACTIVE_STATUSES,
    EmployeeSchemeMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GradeChoice,
)
from jumin.people.models import Person

Status = EnrolmentStatus


def enrolment_list(
    user, *, status: str | None = None, village: str | None = None, mine: bool = False
) -> QuerySet:
    """Enrolments in the user's scope; ``mine`` keeps those the user's role must act on."""
    require(user, "enrolment.view")
    enrolments = scope(Enrolment.objects.all(), user)
    if mine:
        enrolments = enrolments.filter(status__in=awaiting_statuses(user))
    if status:
        enrolments = enrolments.filter(status=status)
    if village:  # where the person lives now, as the scope
        enrolments = enrolments.filter(person__village_id=village)
    return enrolments.select_related("person", "person__village").order_by(
        "person__village_id", "-applied_on", "pk"
    )


def awaiting_statuses(user) -> list[str]:
    """The statuses this user's role acts on (待我审核)."""
    statuses = []
    if can(user, "enrolment.approve_township"):
        statuses.append(Status.PENDING_TOWNSHIP)
    if can(user, "enrolment.approve_county"):
        statuses.append(Status.PENDING_COUNTY)
    return statuses


def status_counts(user, *, village: str | None = None) -> dict[str, int]:
    """How many enrolments of each status the user sees: one GROUP BY query."""
    require(user, "enrolment.view")
    enrolments = scope(Enrolment.objects.all(), user)
    if village:
        enrolments = enrolments.filter(person__village_id=village)
    counts = dict.fromkeys(Status.values, 0)
    for row in enrolments.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def enrolment_get(user, pk) -> Enrolment:
    require(user, "enrolment.view")
    return get_scoped_or_404(
        Enrolment.objects.select_related(
            "person", "person__village", "person__village__parent", "village", "applied_by"
        ),
        user,
        pk=pk,
    )


def enrolment_events(user, enrolment: Enrolment) -> QuerySet:
    """The history of an enrolment the user may see (fetched through ``enrolment_get``): all of
    it, including the steps taken while the person lived in another township."""
    require(user, "enrolment.view")
    return EnrolmentEvent.objects.filter(enrolment=enrolment).select_related("actor")


def person_enrolment(user, person: Person) -> Enrolment | None:
    """The person's active enrolment, else the latest one; scoped."""
    require(user, "enrolment.view")
    enrolments = scope(Enrolment.objects.filter(person=person), user)
    active = enrolments.filter(status__in=ACTIVE_STATUSES).first()
    return active or enrolments.order_by("-created_at", "-pk").first()


def grade_choice_get(user, person: Person, year: int) -> GradeChoice | None:
    require(user, "enrolment.view")
    return scope(GradeChoice.objects.filter(person=person, year=year), user).first()


def village_choices(user) -> list[tuple[str, str]]:
    """Villages in the user's scope as (code, "township village") for a filter."""
    villages = scope(Region.objects.filter(level=RegionLevel.VILLAGE), user).select_related(
        "parent"
    )
    return [
        (village.code, f"{village.parent.name if village.parent else ''} {village.name}".strip())
        for village in villages.order_by("code")
    ]


def actions_for(user, enrolment: Enrolment) -> set[str]:
    """The buttons the user's role may press on this enrolment now."""
    actions = set()
    status = enrolment.status
    if status == Status.PENDING_TOWNSHIP and can(user, "enrolment.approve_township"):
        actions |= {"approve", "reject"}
    if status == Status.PENDING_COUNTY and can(user, "enrolment.approve_county"):
        actions |= {"approve", "reject"}
    if status in ACTIVE_STATUSES and can(user, "enrolment.change"):
        actions.add("change")
    if status == Status.PAYING and can(user, "enrolment.change"):
        actions.add("pause")
    if status == Status.PAUSED and can(user, "enrolment.change"):
        actions.add("resume")
    if status in (Status.PAYING, Status.PAUSED, Status.RECEIVING) and can(user, "enrolment.close"):
        actions.add("close")
    if status in ACTIVE_STATUSES and can(user, "grade.choose"):
        actions.add("grade")
    return actions


# --------------------------------------------------------------------------- employee list


def employee_list_count(user) -> int:
    require(user, "enrolment.view")
    return scope(EmployeeSchemeMember.objects.all(), user).count()


def employee_list_conflicts(user) -> QuerySet:
    """已参加职保的城乡居保参保人员: active enrolments in scope whose person is on the list."""
    require(user, "enrolment.view")
    on_list = EmployeeSchemeMember.objects.filter(id_number=OuterRef("person__id_number"))
    return (
        scope(Enrolment.objects.filter(status__in=ACTIVE_STATUSES), user)
        .filter(Exists(on_list))
        .select_related("person", "person__village")
        .order_by("person__village_id", "pk")
    )


def employee_member_for(id_numbers) -> dict[str, EmployeeSchemeMember]:
    return {
        member.id_number: member
        for member in EmployeeSchemeMember.objects.filter(id_number__in=list(id_numbers))
    }

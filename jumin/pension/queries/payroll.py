"""Reads of the payroll, certifications, deaths and recoveries, always through ``access.scope``."""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import JobRun
from jumin.pension import rules
from jumin.pension.jobs import PAYROLL_JOB
from jumin.pension.models import (
    HELD_STATUSES,
    Award,
    AwardStatus,
    BenefitStandard,
    Certification,
    DeathReport,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    Recovery,
    Suspension,
)
from jumin.people.models import Person

CHANGES_SHOWN = 200


def payroll_list(user) -> QuerySet:
    require(user, "payroll.view")
    return scope(Payroll.objects.select_related("region", "built_by", "approved_by"), user)


def payroll_get(user, pk) -> Payroll:
    require(user, "payroll.view")
    return get_scoped_or_404(
        Payroll.objects.select_related("region", "built_by", "approved_by"), user, pk=pk
    )


def payroll_jobs(user) -> QuerySet:
    require(user, "payroll.view")
    return scope(JobRun.objects.filter(kind=PAYROLL_JOB), user).order_by("-created_at")


def payroll_lines(user, payroll: Payroll) -> QuerySet:
    require(user, "payroll.view")
    return scope(
        PayrollLine.objects.filter(payroll=payroll).select_related("person", "village"), user
    )


def previous_payroll(payroll: Payroll) -> Payroll | None:
    return (
        Payroll.objects.filter(region_id=payroll.region_id, month__lt=payroll.month)
        .order_by("-month")
        .first()
    )


def payroll_changes(payroll: Payroll) -> dict:
    """What changed since the previous month's payroll: new recipients, stopped ones (with
    the award's state: ended, suspended), resumed (arrears for suspended months) and amount
    changes. Each list is cut at ``CHANGES_SHOWN``; the counts are whole."""
    previous = previous_payroll(payroll)
    regular = PayrollLine.objects.filter(kind=LineKind.REGULAR)
    now = regular.filter(payroll=payroll)
    if previous is None:
        return {"previous": None, "new_count": now.count(), "new": [], "stopped": [],
                "stopped_count": 0, "changed": [], "changed_count": 0, "resumed": []}  # fmt: skip
    before = regular.filter(payroll=previous)
    new = now.exclude(award_id__in=before.values("award_id")).select_related("person", "village")
    stopped = (
        Award.objects.filter(pk__in=before.values("award_id"))
        .exclude(pk__in=now.values("award_id"))
        .select_related("person", "village")
    )
    earlier_total = Subquery(before.filter(award_id=OuterRef("award_id")).values("total")[:1])
    changed = (
        now.annotate(earlier=earlier_total)
        .filter(earlier__isnull=False)
        .exclude(total=F("earlier"))
        .select_related("person", "village")
    )
    resumed = (
        PayrollLine.objects.filter(payroll=payroll, kind=LineKind.ARREARS)
        .filter(
            Exists(
                Suspension.objects.filter(
                    award_id=OuterRef("award_id"), to_month__isnull=False, payable=True
                )
            )
        )
        .values("award_id", "person__name", "village__name")
        .annotate(months=Count("id"), total=Sum("total"))
        .order_by("award_id")
    )
    return {
        "previous": previous,
        "new": list(new[:CHANGES_SHOWN]),
        "new_count": new.count(),
        "stopped": list(stopped[:CHANGES_SHOWN]),
        "stopped_count": stopped.count(),
        "changed": list(changed[:CHANGES_SHOWN]),
        "changed_count": changed.count(),
        "resumed": list(resumed[:CHANGES_SHOWN]),
    }


def failed_lines(payroll: Payroll) -> QuerySet:
    return (
        PayrollLine.objects.filter(
            payroll=payroll, status__in=[LineStatus.FAILED, LineStatus.RETRIED]
        )
        .select_related("person", "village")
        .order_by("village_id", "pk")
    )


def recoveries_by_award(award_ids) -> dict[int, Recovery]:
    """The recovery cases of these awards (the stopped ones of a payroll), by award id."""
    return {r.award_id: r for r in Recovery.objects.filter(award_id__in=list(award_ids))}


# --------------------------------------------------------------------------- certification


def certification_list(user) -> QuerySet:
    require(user, "certification.view")
    return scope(Certification.objects.select_related("person", "village"), user)


def certification_due_list(user, *, on: datetime.date, months: int = 2) -> list[dict]:
    """Pensioners whose certification falls due within ``months`` of ``on`` (or is overdue),
    by village: person, last certification, due date."""
    require(user, "certification.view")
    until = rules.add_months(on, months)
    last_due = (
        Certification.objects.filter(person_id=OuterRef("person_id"))
        .order_by("-next_due_on")
        .values("next_due_on")[:1]
    )
    awards = (
        scope(Award.objects.filter(status__in=HELD_STATUSES), user)
        .select_related("person", "village")
        .annotate(next_due=Subquery(last_due))
    )
    standard = (
        BenefitStandard.objects.in_force(region_code=user.region_id, on=on)
        if user.region_id
        else None
    )
    cycle = standard.certification_cycle_months if standard is not None else 12
    rows = []
    for award in awards.filter(Q(next_due__lte=until) | Q(next_due__isnull=True)).order_by(
        "village_id", "person__name"
    ):
        due = award.next_due or rules.add_months(award.start_month, cycle)
        if due > until:
            continue
        rows.append(
            {
                "award": award,
                "person": award.person,
                "village": award.village,
                "due": due,
                "overdue": due < on,
                "suspended": award.status == AwardStatus.SUSPENDED,
            }
        )
    return rows


# --------------------------------------------------------------------------- deaths, recovery


def person_with_award(user, id_number: str) -> Person:
    """The pensioner with this ID number in the user's scope, or 404."""
    return get_scoped_or_404(
        Person.objects.filter(pension_awards__status__in=HELD_STATUSES).distinct(),
        user,
        id_number=id_number.strip().upper(),
    )


def death_report_list(user) -> QuerySet:
    require(user, "death.view")
    return scope(DeathReport.objects.select_related("person", "village", "reported_by"), user)


def death_report_get(user, pk) -> DeathReport:
    require(user, "death.view")
    return get_scoped_or_404(DeathReport.objects.select_related("person"), user, pk=pk)


def recovery_list(user) -> QuerySet:
    require(user, "recovery.view")
    return scope(Recovery.objects.select_related("person", "village"), user)


def recovery_get(user, pk) -> Recovery:
    require(user, "recovery.view")
    return get_scoped_or_404(Recovery.objects.select_related("person", "village"), user, pk=pk)

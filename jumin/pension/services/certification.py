"""Life certification (资格认证), suspension and resumption of awards (POLICY §2.6).

- ``certification_record``: a certification by channel (counter, phone, kiosk, home visit
  with a photo, matched data); the next one is due ``certification_cycle_months`` later (the
  standard in force). A person whose award was suspended for a lapsed certification is
  resumed: the next payroll pays the suspended months as arrears.
- ``suspend_lapsed``: run by the payroll build, set-based: every active award of the county
  whose certification is overdue on the first of the month is suspended (reason 1201).
- ``award_suspend`` / ``award_resume``: a suspension the county records (imprisonment: the
  months suspended are never paid; 1202).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from jumin.collection.counties import require_in_scope_or_system, require_or_system
from jumin.core import audit, jobs
from jumin.pension import rules
from jumin.pension.models import (
    Award,
    AwardStatus,
    BenefitStandard,
    Certification,
    CertificationChannel,
    Suspension,
    SuspensionReason,
)
from jumin.pension.registry import PensionAction

CERTIFICATION = Certification._meta.db_table
AWARD = Award._meta.db_table
SUSPENSION = Suspension._meta.db_table

# active awards of the county (LIKE prefix) started on or before the cutoff (the cycle back
# from the month) with no certification still valid on the first of the month
_LAPSED = f"""
    a.status = 'active' AND a.village_id LIKE %s AND a.start_month <= %s
    AND NOT EXISTS (SELECT 1 FROM {CERTIFICATION} c
                    WHERE c.person_id = a.person_id AND c.next_due_on >= %s)
"""


def suspend_lapsed(*, county_code: str, month: datetime.date, cycle_months: int) -> int:
    """Suspend the county's awards whose certification lapsed before ``month``; how many.
    One ``INSERT ... SELECT`` of the suspensions and one ``UPDATE`` of the awards, in one
    transaction; an award already suspended is left as it is (a re-run changes nothing)."""
    cutoff = rules.add_months(month, -cycle_months)
    ops = connection.ops
    month_db = ops.adapt_datefield_value(month)
    params = [county_code[:6] + "%", ops.adapt_datefield_value(cutoff), month_db]
    with transaction.atomic(), connection.cursor() as cursor:
        jobs.exclusive(f"suspend_lapsed:{county_code}")  # two builds at once: one at a time
        cursor.execute(
            f"""
            INSERT INTO {SUSPENSION} (award_id, reason, from_month, to_month, payable, note,
                                      created_by_id, created_at, resumed_at)
            SELECT a.id, %s, %s, NULL, %s, '', NULL, %s, NULL FROM {AWARD} a
            WHERE {_LAPSED}
              AND NOT EXISTS (SELECT 1 FROM {SUSPENSION} s
                              WHERE s.award_id = a.id AND s.to_month IS NULL)
            """,
            [
                SuspensionReason.NO_CERTIFICATION.value,
                month_db,
                True,
                ops.adapt_datetimefield_value(timezone.now()),
                *params,
            ],
        )
        suspended = cursor.rowcount
        if suspended:
            Award.objects.filter(
                status=AwardStatus.ACTIVE,
                village__pk__startswith=county_code[:6],
                pk__in=Suspension.objects.filter(
                    to_month__isnull=True, reason=SuspensionReason.NO_CERTIFICATION
                ).values("award_id"),
            ).update(
                status=AwardStatus.SUSPENDED,
                suspended_from=month,
                suspension_reason=SuspensionReason.NO_CERTIFICATION.value,
            )
            audit.record(
                actor=None,
                action=PensionAction.AWARD_SUSPEND_LAPSED,
                object_type="pension.award",
                region_code=county_code,
                object_label=f"{county_code[:6]} {month:%Y-%m}",
                after={"month": f"{month:%Y-%m}", "suspended": suspended},
            )
    return suspended


def certification_record(
    *,
    acting_user,
    person,
    certified_on: datetime.date,
    channel: str,
    photo=None,
    note: str = "",
) -> tuple[Certification, bool]:
    """Record a certification: (the certification, whether it is new). The same person and
    day again (a form sent twice) is the one already recorded. Resumes an award suspended
    for a lapsed certification (its months are paid as arrears by the next payroll)."""
    require_or_system(acting_user, "certification.record")
    require_in_scope_or_system(acting_user, person)
    today = timezone.localdate()
    if certified_on > today:
        raise ValidationError({"certified_on": "认证日期不能晚于今天"})
    if channel not in CertificationChannel.values:
        raise ValidationError({"channel": "请选择认证方式"})
    if channel == CertificationChannel.HOME_VISIT and not photo:
        raise ValidationError({"photo": "上门认证须上传照片"})
    if person.death_date is not None and person.death_date <= certified_on:
        raise ValidationError({"certified_on": f"此人已于{person.death_date}死亡，不能认证"})
    standard = BenefitStandard.objects.in_force(region_code=person.village_id, on=certified_on)
    cycle = standard.certification_cycle_months if standard is not None else 12
    with transaction.atomic():
        existing = Certification.objects.filter(person=person, certified_on=certified_on).first()
        if existing is not None:
            return existing, False
        certification = Certification.objects.create(
            person=person,
            village_id=person.village_id,
            certified_on=certified_on,
            channel=channel,
            next_due_on=rules.certification_due(certified_on, cycle),
            photo=photo or "",
            note=note,
            created_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.CERTIFICATION_RECORD,
            obj=certification,
            object_label=f"{person.name} {certified_on}",
            after={
                "person": person.pk,
                "certified_on": certified_on,
                "channel": channel,
                "next_due_on": certification.next_due_on,
            },
        )
        award = (
            Award.objects.select_for_update()
            .filter(
                person=person,
                status=AwardStatus.SUSPENDED,
                suspension_reason=SuspensionReason.NO_CERTIFICATION,
            )
            .first()
        )
        if award is not None:
            _resume(acting_user, award, on=certified_on)
    return certification, True


def _resume(acting_user, award: Award, *, on: datetime.date) -> None:
    """Close the open suspension at the month before ``on``'s and make the award active."""
    last = rules.add_months(rules.first_of_month(on), -1)
    suspension = Suspension.objects.filter(award=award, to_month__isnull=True).first()
    if suspension is not None:
        Suspension.objects.filter(pk=suspension.pk).update(
            to_month=max(last, suspension.from_month), resumed_at=timezone.now()
        )
    before = {"status": award.status, "suspended_from": award.suspended_from}
    Award.objects.filter(pk=award.pk).update(
        status=AwardStatus.ACTIVE, suspended_from=None, suspension_reason=""
    )
    audit.record(
        actor=acting_user,
        action=PensionAction.AWARD_RESUME,
        obj=award,
        before=before,
        after={
            "status": AwardStatus.ACTIVE.value,
            "arrears_paid": suspension.payable if suspension else False,
        },
    )


def award_suspend(
    *, acting_user, award: Award, reason: str, from_month: datetime.date, note: str = ""
) -> Suspension:
    """A suspension the county records; for imprisonment no arrears are ever paid for it."""
    require_or_system(acting_user, "award.suspend")
    require_in_scope_or_system(acting_user, award)
    if reason not in SuspensionReason.values:
        raise ValidationError({"reason": "请选择暂停原因"})
    from_month = rules.first_of_month(from_month)
    if from_month < award.start_month:
        raise ValidationError({"from_month": "暂停起始月不能早于待遇起始月"})
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status != AwardStatus.ACTIVE:
            raise ValidationError({"award": f"待遇状态为“{locked.get_status_display()}”，不能暂停"})
        suspension = Suspension.objects.create(
            award=locked,
            reason=reason,
            from_month=from_month,
            payable=reason != SuspensionReason.IMPRISONMENT,
            note=note,
            created_by=acting_user,
        )
        Award.objects.filter(pk=award.pk).update(
            status=AwardStatus.SUSPENDED, suspended_from=from_month, suspension_reason=reason
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.AWARD_SUSPEND,
            obj=locked,
            before={"status": AwardStatus.ACTIVE.value},
            after={"status": AwardStatus.SUSPENDED.value, "reason": reason, "from": from_month},
            reason=note,
        )
    return suspension


def award_resume(*, acting_user, award: Award, on: datetime.date) -> Award:
    """Resume a suspended award from ``on``'s month (the months before it stay suspended)."""
    require_or_system(acting_user, "award.suspend")
    require_in_scope_or_system(acting_user, award)
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status != AwardStatus.SUSPENDED:
            raise ValidationError({"award": "待遇没有暂停，不需要恢复"})
        _resume(acting_user, locked, on=on)
    award.refresh_from_db()
    return award

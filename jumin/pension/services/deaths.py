"""Deaths of pensioners and what follows (POLICY §2.6, EXAMPLES E8).

- ``death_report``: a township (or the county) reports a death with its proof; it applies at
  once. ``death_list_import``: a list from public security, civil affairs or a funeral home
  (Excel or CSV: 身份证号, 姓名, 死亡日期) is matched to pensioners; each match becomes a report
  to review (``death_confirm`` / ``death_reject``), each bad row is named with its field.
- Applying a death: the person's death date, the award ends (1401 死亡); payment stops from the
  month after the death; the lines paid (or approved) for later months are the overpayment of
  a recovery case (``Recovery``), whose account part goes back into the account at once; the
  lines of a payroll built but not yet approved are held at its approval instead
  (``payroll._hold_after_death``): nothing is sent, nothing is to recover.
- ``inheritance_pay``: the remaining balance goes to the named heir after the rest of the
  overpayment is set off against it (then against the funeral grant); ``recovery_collect``
  records what the family pays back until nothing is outstanding.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from jumin.collection.counties import require_in_scope_or_system, require_or_system
from jumin.core import audit
from jumin.core.access import in_scope_of
from jumin.core.money import MoneyError, of_aggregate
from jumin.core.money import parse as parse_money
from jumin.core.parsing import InputError, parse_date
from jumin.core.tabular import TabularError, cell_text, read_rows
from jumin.pension import rules
from jumin.pension.models import (
    HELD_STATUSES,
    AccountEntry,
    Award,
    AwardStatus,
    BenefitStandard,
    DeathReport,
    DeathSource,
    DeathStatus,
    EntrySource,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
    Recovery,
    RecoveryItem,
    RecoveryItemKind,
    RecoveryStatus,
    Suspension,
)
from jumin.pension.registry import PensionAction
from jumin.people.models import Person
from jumin.people.rules import IdNumberError, parse_id_number

ZERO = Decimal("0.00")
DEATH_END_REASON = "1401"
MAX_ROWS = 20000


def _held_award(person) -> Award | None:
    return Award.objects.filter(person=person, status__in=HELD_STATUSES).first()


def _check_death_date(person, death_date: datetime.date, *, today: datetime.date) -> Award:
    if death_date > today:
        raise ValidationError({"death_date": "死亡日期不能晚于今天"})
    award = _held_award(person)
    if award is None:
        raise ValidationError({"person": f"{person.name}没有正在领取的养老金待遇"})
    if death_date < award.start_month:
        raise ValidationError(
            {"death_date": f"死亡日期{death_date}早于待遇起始月{award.start_month:%Y-%m}，请核实"}
        )
    return award


def death_report(
    *, acting_user, person, death_date: datetime.date, proof: str = ""
) -> tuple[DeathReport, Recovery | None]:
    """A township's report of a death; applied at once: (the report, the recovery case)."""
    require_or_system(acting_user, "death.report")
    require_in_scope_or_system(acting_user, person)
    today = timezone.localdate()
    _check_death_date(person, death_date, today=today)
    with transaction.atomic():
        existing = DeathReport.objects.filter(
            person=person, source=DeathSource.TOWNSHIP, status=DeathStatus.CONFIRMED
        ).first()
        if existing is not None:  # sent twice
            return existing, Recovery.objects.filter(person=person).first()
        report = DeathReport.objects.create(
            person=person,
            village_id=person.village_id,
            death_date=death_date,
            source=DeathSource.TOWNSHIP,
            proof=proof,
            reported_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.DEATH_REPORT,
            obj=report,
            object_label=f"{person.name} {death_date}",
            after={"person": person.pk, "death_date": death_date, "proof": proof},
        )
        recovery = _apply(acting_user, report)
    return report, recovery


def death_confirm(*, acting_user, report: DeathReport) -> Recovery | None:
    require_or_system(acting_user, "death.confirm")
    require_in_scope_or_system(acting_user, report)
    with transaction.atomic():
        report = DeathReport.objects.select_for_update().select_related("person").get(pk=report.pk)
        if report.status != DeathStatus.PENDING:
            raise ValidationError({"report": "这份死亡报告已处理"})
        _check_death_date(report.person, report.death_date, today=timezone.localdate())
        audit.record(
            actor=acting_user,
            action=PensionAction.DEATH_CONFIRM,
            obj=report,
            after={"death_date": report.death_date, "source": report.source},
        )
        return _apply(acting_user, report)


def death_reject(*, acting_user, report: DeathReport, reason: str) -> DeathReport:
    require_or_system(acting_user, "death.confirm")
    require_in_scope_or_system(acting_user, report)
    if not reason.strip():
        raise ValidationError({"reason": "请填写不属实的原因"})
    with transaction.atomic():
        changed = DeathReport.objects.filter(pk=report.pk, status=DeathStatus.PENDING).update(
            status=DeathStatus.REJECTED, decided_by=acting_user, decided_at=timezone.now()
        )
        if not changed:
            raise ValidationError({"report": "这份死亡报告已处理"})
        report.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.DEATH_REJECT,
            obj=report,
            after={"status": report.status},
            reason=reason,
        )
    return report


def _apply(acting_user, report: DeathReport) -> Recovery | None:
    """End the award from the month after the death and open the recovery case (inside the
    caller's transaction)."""
    person = Person.objects.select_for_update().get(pk=report.person_id)
    award = (
        Award.objects.select_for_update().filter(person=person, status__in=HELD_STATUSES).first()
    )
    DeathReport.objects.filter(pk=report.pk).update(
        status=DeathStatus.CONFIRMED, decided_by=acting_user, decided_at=timezone.now()
    )
    Person.objects.filter(pk=person.pk).update(death_date=report.death_date)
    if award is None:
        return None
    Award.objects.filter(pk=award.pk).update(
        status=AwardStatus.ENDED, ended_on=report.death_date, end_reason=DEATH_END_REASON
    )
    Suspension.objects.filter(award=award, to_month__isnull=True).update(
        to_month=rules.first_of_month(report.death_date), resumed_at=timezone.now()
    )
    existing = Recovery.objects.filter(award=award).first()
    if existing is not None:  # the case was opened before (another report of the same death)
        return existing
    stop = rules.first_unpaid_month_after_death(report.death_date)
    later = PayrollLine.objects.filter(
        award=award, month_for__gte=stop, status__in=[LineStatus.PENDING, LineStatus.PAID]
    )
    # the payrolls of those lines, locked: one not approved yet holds the lines at its
    # approval (nothing is paid, nothing to recover); an approval under way finishes first
    list(
        Payroll.objects.select_for_update()
        .filter(pk__in=later.values("payroll_id"))
        .values_list("pk", flat=True)
    )
    overpaid_lines = later.exclude(payroll__status=PayrollStatus.BUILT)
    totals = overpaid_lines.aggregate(
        total=Sum("total"), account=Sum("from_account"), months=Count("month_for", distinct=True)
    )
    overpaid = of_aggregate(totals["total"])
    account_part = of_aggregate(totals["account"])
    recovery = Recovery.objects.create(
        award=award,
        person=person,
        village_id=person.village_id,
        death_date=report.death_date,
        months=totals["months"] or 0,
        overpaid=overpaid,
        account_part=account_part,
        outstanding=overpaid - account_part,
        created_by=acting_user,
    )
    if account_part > 0:
        AccountEntry.objects.create(
            person=person,
            village_id=person.village_id,
            year=timezone.localdate().year,
            source=EntrySource.OVERPAYMENT_RETURN,
            amount=account_part,
            reason="死亡后多发的个人账户养老金退回",
            created_by=acting_user,
        )
        RecoveryItem.objects.create(
            recovery=recovery,
            kind=RecoveryItemKind.ACCOUNT_RETURN,
            amount=account_part,
            recorded_on=timezone.localdate(),
            created_by=acting_user,
        )
    audit.record(
        actor=acting_user,
        action=PensionAction.DEATH_CONFIRM,
        obj=award,
        before={"status": award.status},
        after={
            "status": AwardStatus.ENDED.value,
            "ended_on": report.death_date,
            "payment_stops_from": stop,
            "overpaid": overpaid,
            "account_returned": account_part,
            "recovery": recovery.pk,
        },
    )
    return recovery


def account_balance(person) -> Decimal:
    return AccountEntry.objects.filter(person=person).balance()


def inheritance_pay(
    *, acting_user, recovery: Recovery, heir_name: str, heir_id_number: str
) -> Recovery:
    """Pay the remaining balance to the heir, after setting the outstanding overpayment off
    against it and then against the funeral grant (POLICY §2.6, E8)."""
    require_or_system(acting_user, "recovery.manage")
    require_in_scope_or_system(acting_user, recovery)
    heir_name = (heir_name or "").strip()
    if not heir_name:
        raise ValidationError({"heir_name": "请填写继承人姓名"})
    try:
        heir_id = parse_id_number(heir_id_number, today=timezone.localdate()).number
    except IdNumberError as error:
        raise ValidationError({"heir_id_number": f"继承人身份证号：{error.message}"}) from None
    today = timezone.localdate()
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().select_related("person").get(pk=recovery.pk)
        if recovery.inherited is not None:
            raise ValidationError({"recovery": "继承额已支付"})
        person = recovery.person
        balance = account_balance(person)
        standard = BenefitStandard.objects.in_force(
            region_code=person.village_id, on=recovery.death_date
        )
        grant = standard.funeral_grant if standard is not None else ZERO
        plan = rules.recovery_plan(
            overpaid=recovery.outstanding,
            account_part=ZERO,
            balance_before_return=balance,
            funeral_grant=grant,
        )
        entries = [
            (EntrySource.OVERPAYMENT_SET_OFF, plan.inheritance_set_off, "多发基础养老金从余额抵扣"),
            (EntrySource.INHERITANCE, plan.inherited, f"余额由继承人{heir_name}（{heir_id}）领取"),
        ]
        for source, amount, reason in entries:
            if amount > 0:
                AccountEntry.objects.create(
                    person=person,
                    village_id=person.village_id,
                    year=today.year,
                    source=source,
                    amount=-amount,
                    booked_on=today,
                    reason=reason,
                    created_by=acting_user,
                )
        for kind, amount in (
            (RecoveryItemKind.INHERITANCE_SET_OFF, plan.inheritance_set_off),
            (RecoveryItemKind.FUNERAL_GRANT_SET_OFF, plan.funeral_grant_set_off),
        ):
            if amount > 0:
                RecoveryItem.objects.create(
                    recovery=recovery,
                    kind=kind,
                    amount=amount,
                    recorded_on=today,
                    created_by=acting_user,
                )
        outstanding = plan.from_family
        Recovery.objects.filter(pk=recovery.pk).update(
            heir_name=heir_name,
            heir_id_number=heir_id,
            inherited=plan.inherited,
            funeral_grant_paid=plan.funeral_grant_paid,
            outstanding=outstanding,
            status=RecoveryStatus.CLOSED if outstanding == 0 else RecoveryStatus.OPEN,
        )
        recovery.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.RECOVERY_INHERIT,
            obj=recovery,
            object_label=f"{person.name} 继承",
            after={
                "balance": balance,
                "set_off": plan.inheritance_set_off,
                "funeral_grant_set_off": plan.funeral_grant_set_off,
                "inherited": plan.inherited,
                "heir": heir_name,
                "outstanding": outstanding,
            },
        )
    return recovery


def recovery_collect(*, acting_user, recovery: Recovery, amount, note: str = "") -> Recovery:
    """Money the family paid back; the case closes at 0.00 outstanding."""
    require_or_system(acting_user, "recovery.manage")
    require_in_scope_or_system(acting_user, recovery)
    try:
        amount = amount if isinstance(amount, Decimal) else parse_money(amount)
    except MoneyError as error:
        raise ValidationError({"amount": f"退回金额：{error}"}) from None
    if amount <= 0:
        raise ValidationError({"amount": "退回金额须大于0"})
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
        if amount > recovery.outstanding:
            raise ValidationError(
                {"amount": f"退回金额{amount}元超过未追回的{recovery.outstanding}元"}
            )
        RecoveryItem.objects.create(
            recovery=recovery,
            kind=RecoveryItemKind.FAMILY,
            amount=amount,
            recorded_on=timezone.localdate(),
            note=note,
            created_by=acting_user,
        )
        outstanding = recovery.outstanding - amount
        Recovery.objects.filter(pk=recovery.pk).update(
            outstanding=outstanding,
            status=RecoveryStatus.CLOSED
            if outstanding == 0 and recovery.inherited is not None
            else RecoveryStatus.OPEN,
        )
        recovery.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.RECOVERY_COLLECT,
            obj=recovery,
            after={"amount": amount, "outstanding": outstanding},
            reason=note,
        )
    return recovery


# --------------------------------------------------------------------------- imported lists

HEADERS = {"身份证号": "id_number", "姓名": "name", "死亡日期": "death_date"}


def death_list_import(*, acting_user, source: str, data) -> dict:
    """Match a list of deaths to pensioners: each match a report to review. Returns
    ``{"reports": n, "unmatched": n, "problems": [{row, field, message}]}``; rows with a
    problem are skipped and named, the others are taken (a list read twice adds nothing)."""
    require_or_system(acting_user, "death.confirm")
    if source not in DeathSource.values or source == DeathSource.TOWNSHIP:
        raise ValidationError({"source": "请选择名单来源（公安、民政或殡仪馆）"})
    today = timezone.localdate()
    problems, matched, unmatched = [], [], 0
    try:
        rows = read_rows(data, max_rows=MAX_ROWS)
        header_row = next(rows, None)
        if header_row is None:
            raise ValidationError({"file": "文件是空的"})
        columns = {HEADERS.get(cell_text(c)): i for i, c in enumerate(header_row[1])}
        missing = [label for label, key in HEADERS.items() if key not in columns]
        if missing:
            raise ValidationError({"file": f"首行缺少列：{'、'.join(missing)}"})
        for row, cells in rows:

            def cell(key, cells=cells):
                index = columns[key]
                return cells[index] if index < len(cells) else ""

            try:
                id_number = parse_id_number(cell_text(cell("id_number")), today=today).number
            except IdNumberError as error:
                problems.append({"row": row, "field": "身份证号", "message": error.message})
                continue
            try:
                death_date = parse_date(cell("death_date"), label="死亡日期")
            except InputError as error:
                problems.append({"row": row, "field": "死亡日期", "message": error.message})
                continue
            if death_date > today:
                problems.append({"row": row, "field": "死亡日期", "message": "死亡日期晚于今天"})
                continue
            matched.append((row, id_number, death_date))
    except TabularError as error:
        raise ValidationError({"file": str(error)}) from None
    created = 0
    with transaction.atomic():
        people = {
            p.id_number: p
            for p in Person.objects.filter(
                id_number__in=[m[1] for m in matched],
                pension_awards__status__in=HELD_STATUSES,
            )
        }
        for row, id_number, death_date in matched:
            person = people.get(id_number)
            if person is None or (acting_user is not None and not in_scope_of(acting_user, person)):
                unmatched += 1
                continue
            award = _held_award(person)
            if death_date < award.start_month:
                problems.append(
                    {"row": row, "field": "死亡日期", "message": "死亡日期早于待遇起始月"}
                )
                continue
            _report, made = DeathReport.objects.exclude(status=DeathStatus.REJECTED).get_or_create(
                person=person,
                source=source,
                defaults={
                    "village_id": person.village_id,
                    "death_date": death_date,
                    "reported_by": acting_user,
                    "proof": f"{DeathSource(source).label}名单第{row}行",
                },
            )
            created += made
        audit.record(
            actor=acting_user,
            action=PensionAction.DEATH_IMPORT,
            object_type="pension.deathreport",
            object_label=DeathSource(source).label,
            region_code=getattr(getattr(acting_user, "region", None), "code", ""),
            after={"reports": created, "unmatched": unmatched, "problems": len(problems)},
        )
    return {"reports": created, "unmatched": unmatched, "problems": problems}

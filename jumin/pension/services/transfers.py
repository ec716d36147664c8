"""Transfers between counties (转移接续) and the link with the employee scheme (制度衔接),
POLICY §2.7. Reads: ``queries/transfers.py``.

**Transfer** (``Transfer``), only while the person is contributing (an enrolment paying or
paused, no pension held): the receiving county registers the request and issues the
acceptance letter; the sending county moves the money — for each source with a balance, one
negative entry (``movement = transfer_out``) booked on the day it is sent, so every
sub-ledger is emptied — and closes the enrolment (转出); the receiving county books it —
one positive entry per source, the same amounts (``transfer_in``) in the receiving village —
and the person now lives there. Contribution years carry: they are counted from the person's
ledger, which moves whole. Each step has a deadline of 15 working days after the previous
one, counted in the calendar of the county that acts next (``services.calendar``: weekends,
public holidays and make-up working days, dated data). Before the money moves (requested or
accepted) either county may cancel the transfer with a reason (``transfer_cancel``); once
sent it can only be booked. Every step is one transaction with its audit
entry; the entries carry a unique key (transfer, source, movement), so nothing is moved twice.

**Scheme link** (``SchemeLink``): registered with the employee years and personal-account
balance and the months paid in both schemes; ``rules.link_split`` decides the way and the
refund; deciding it books: the overlap refund to the person (negative entries of the personal
and collective sources, ``link_refund``) and the subsidy of those months reversed
(``link_subsidy``); then either the whole remaining balance out to the employee scheme by
source (``link_out``) with the enrolment closed, or the employee personal account in as
source ``employee_transfer`` (``link_in``), the employee years adding to the resident years.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404

from jumin.core import audit
from jumin.core.access import in_scope, require, require_in_scope
from jumin.core.models import Region, RegionLevel
from jumin.core.money import of_aggregate
from jumin.pension import rules
from jumin.pension.models import (
    HELD_STATUSES,
    AccountEntry,
    Award,
    CloseReason,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    LinkOutcome,
    LinkStatus,
    Movement,
    SchemeLink,
    Transfer,
    TransferStatus,
)
from jumin.pension.queries.statements import contribution_years
from jumin.pension.registry import PensionAction
from jumin.pension.services.calendar import working_days_after
from jumin.pension.services.enrolment import enrolment_close
from jumin.people.models import Person

STEP_DAYS = 15
ZERO = Decimal("0.00")
CONTRIBUTING = (EnrolmentStatus.PAYING, EnrolmentStatus.PAUSED)


def _balances(person_id: int) -> dict:
    """source → balance of the person's account, zero sources left out."""
    rows = (
        AccountEntry.objects.filter(person_id=person_id)
        .values("source")
        .annotate(total=Sum("amount"))
        .order_by("source")
    )
    totals = {row["source"]: of_aggregate(row["total"]) for row in rows}
    return {source: total for source, total in totals.items() if total}


def _contributing_enrolment(person) -> Enrolment:
    enrolment = Enrolment.objects.filter(person=person, status__in=CONTRIBUTING).first()
    if enrolment is None or Award.objects.filter(person=person, status__in=HELD_STATUSES).exists():
        raise ValidationError(
            {"person": f"{person.name}不在缴费期（已领取待遇、已终止或未参保），不能转移接续"}
        )
    return enrolment


def _entries(person, village_id, by_source: dict, *, sign: int, on, user, reason, **link):
    AccountEntry.objects.bulk_create(
        [
            AccountEntry(
                person=person,
                village_id=village_id,
                year=on.year,
                source=source,
                amount=sign * Decimal(amount),
                booked_on=on,
                reason=reason,
                created_by=user,
                **link,
            )
            for source, amount in by_source.items()
            if Decimal(amount) != 0
        ]
    )


def _on(on) -> datetime.date:
    from jumin.pension.services.enrolment import today

    on = on or today()
    if on > today():
        raise ValidationError({"on": "办理日期不能晚于今天"})
    return on


def transfer_request(*, acting_user, person, to_village_code: str, on=None) -> Transfer:
    """The receiving county registers a person's move into one of its villages."""
    require(acting_user, "transfer.manage")
    require_in_scope(acting_user, to_village_code)
    on = _on(on)
    to_village = Region.objects.filter(code=to_village_code, level=RegionLevel.VILLAGE).first()
    if to_village is None:
        raise ValidationError({"to_village": f"转入村（社区）“{to_village_code}”不存在"})
    if person.village_id[:6] == to_village_code[:6]:
        raise ValidationError({"to_village": "转入地与转出地是同一个县，不需要转移接续"})
    with transaction.atomic():
        _contributing_enrolment(person)
        if Transfer.objects.filter(
            person=person,
            status__in=[TransferStatus.REQUESTED, TransferStatus.ACCEPTED, TransferStatus.SENT],
        ).exists():
            raise ValidationError({"person": f"{person.name}已有一笔未办结的转移接续"})
        transfer = Transfer.objects.create(
            person=person,
            from_village_id=person.village_id,
            to_village=to_village,
            requested_on=on,
            due_on=working_days_after(to_village.code, on, STEP_DAYS),
            created_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.TRANSFER_REQUEST,
            obj=transfer,
            after={
                "person": person.pk,
                "from": transfer.from_village_id,
                "to": to_village.code,
                "due_on": transfer.due_on,
            },
        )
    return transfer


def _locked(transfer) -> Transfer:
    return Transfer.objects.select_for_update().select_related("person").get(pk=transfer.pk)


def transfer_advance(*, acting_user, transfer: Transfer, on=None) -> Transfer:
    """The next step: letter (receiving county), send (sending county), book (receiving)."""
    require(acting_user, "transfer.manage")
    on = _on(on)
    with transaction.atomic():
        transfer = _locked(transfer)
        status = transfer.status
        receiving = in_scope(acting_user, transfer.to_village_id)
        sending = in_scope(acting_user, transfer.from_village_id)
        if not (receiving or sending):
            raise Http404
        if status == TransferStatus.REQUESTED:
            _need(receiving, "联系函由转入地出具")
            transfer.status, transfer.accepted_on = TransferStatus.ACCEPTED, on
            action = PensionAction.TRANSFER_ACCEPT
        elif status == TransferStatus.ACCEPTED:
            _need(sending, "个人账户由转出地转出")
            _send(acting_user, transfer, on)
            action = PensionAction.TRANSFER_SEND
        elif status == TransferStatus.SENT:
            _need(receiving, "转入记账由转入地办理")
            _book(acting_user, transfer, on)
            action = PensionAction.TRANSFER_BOOK
        else:
            raise ValidationError(
                {"status": f"这笔转移接续已{transfer.get_status_display()}，不能再办理"}
            )
        transfer.due_on = _deadline(transfer, on)
        transfer.save()
        audit.record(
            actor=acting_user,
            action=action,
            obj=transfer,
            before={"status": status},
            after={
                "status": transfer.status,
                "on": on,
                "amount": transfer.amount,
                "by_source": transfer.by_source,
                "due_on": transfer.due_on,
            },
        )
    return transfer


def _deadline(transfer: Transfer, on) -> datetime.date | None:
    """The next step's deadline in the calendar of the county that takes it."""
    if transfer.status == TransferStatus.ACCEPTED:
        return working_days_after(transfer.from_village_id, on, STEP_DAYS)
    if transfer.status == TransferStatus.SENT:
        return working_days_after(transfer.to_village_id, on, STEP_DAYS)
    return None


CANCELLABLE = (TransferStatus.REQUESTED, TransferStatus.ACCEPTED)


def transfer_cancel(*, acting_user, transfer: Transfer, reason: str, on=None) -> Transfer:
    """Cancel (撤销) a transfer before its money moves: either county, with a reason; the
    person stays where they are and may ask again. Once sent, refused (the receiving county
    books it). Cancelling a cancelled transfer again changes nothing."""
    require(acting_user, "transfer.manage")
    on = _on(on)
    reason = (reason or "").strip()
    with transaction.atomic():
        transfer = _locked(transfer)
        if not (
            in_scope(acting_user, transfer.to_village_id)
            or in_scope(acting_user, transfer.from_village_id)
        ):
            raise Http404
        if transfer.status == TransferStatus.CANCELLED:
            return transfer
        if transfer.status not in CANCELLABLE:
            raise ValidationError(
                {
                    "status": f"这笔转移接续已{transfer.get_status_display()}，资金已转出，"
                    "不能撤销，请转入地办理转入记账"
                }
            )
        if not reason:
            raise ValidationError({"reason": "撤销原因：必须填写"})
        if len(reason) > 200:
            raise ValidationError({"reason": "撤销原因：最多200个字"})
        status = transfer.status
        transfer.status, transfer.reason, transfer.due_on = TransferStatus.CANCELLED, reason, None
        transfer.save(update_fields=["status", "reason", "due_on"])
        audit.record(
            actor=acting_user,
            action=PensionAction.TRANSFER_CANCEL,
            obj=transfer,
            before={"status": status},
            after={"status": transfer.status, "on": on},
            reason=reason,
        )
    return transfer


def _need(allowed: bool, message: str) -> None:
    if not allowed:
        raise ValidationError({"status": message})


def _send(acting_user, transfer: Transfer, on) -> None:
    person = transfer.person
    enrolment = _contributing_enrolment(person)
    balances = _balances(person.pk)
    if not balances:
        raise ValidationError({"person": f"{person.name}的个人账户没有余额，无需转出资金"})
    years = contribution_years([person.pk], through=on).get(person.pk, 0)
    _entries(
        person,
        person.village_id,
        balances,
        sign=-1,
        on=on,
        user=acting_user,
        reason=f"转出至{transfer.to_village_id}",
        transfer=transfer,
        movement=Movement.TRANSFER_OUT,
    )
    transfer.by_source = {source: str(amount) for source, amount in balances.items()}
    transfer.amount = sum(balances.values(), ZERO)
    transfer.contribution_years = years
    transfer.status, transfer.sent_on = TransferStatus.SENT, on
    enrolment_close(
        acting_user=acting_user,
        enrolment=enrolment,
        reason=CloseReason.TRANSFER_OUT,
        closed_on=on,
        note=f"转移接续第{transfer.pk}号",
    )


def _book(acting_user, transfer: Transfer, on) -> None:
    person = transfer.person
    _entries(
        person,
        transfer.to_village_id,
        transfer.by_source,
        sign=1,
        on=on,
        user=acting_user,
        reason=f"自{transfer.from_village_id}转入",
        transfer=transfer,
        movement=Movement.TRANSFER_IN,
    )
    Person.objects.filter(pk=person.pk).update(village_id=transfer.to_village_id)
    transfer.status, transfer.booked_on = TransferStatus.BOOKED, on


# --------------------------------------------------------------------------- scheme link


def _year_credits(person_id: int) -> dict:
    credits: dict = {}
    for row in (
        AccountEntry.objects.filter(person_id=person_id)
        .exclude(source__in=[EntrySource.INTEREST, EntrySource.EMPLOYEE_TRANSFER])
        .exclude(movement__in=[Movement.TRANSFER_OUT, Movement.TRANSFER_IN])
        .values("year", "source")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        total = of_aggregate(row["total"])
        if total:
            credits.setdefault(row["year"], {})[row["source"]] = total
    return credits


def _clean_overlap(overlap_months) -> dict:
    cleaned = {}
    for year, months in (overlap_months or {}).items():
        try:
            year_number, months_number = int(year), int(months)
        except (TypeError, ValueError):
            raise ValidationError(
                {"overlap_months": f"重复缴费月数：“{year}: {months}”不正确"}
            ) from None
        if not 1 <= months_number <= 12:
            raise ValidationError({"overlap_months": f"{year_number}年重复缴费月数：应在1至12之间"})
        cleaned[str(year_number)] = months_number
    return cleaned


def link_create(
    *, acting_user, person, employee_years: int, employee_balance, overlap_months=None, on=None
) -> SchemeLink:
    """Register a link case for a person at the employee retirement age; computes the way
    (``rules.link_split``) and the refund, changes no money yet (``link_decide`` does)."""
    require(acting_user, "link.manage")
    require_in_scope(acting_user, person)
    on = _on(on)
    if employee_years is None or int(employee_years) < 0:
        raise ValidationError({"employee_years": "职保缴费年限：不能为负数"})
    employee_balance = Decimal(str(employee_balance or 0))
    if employee_balance < 0:
        raise ValidationError({"employee_balance": "职保个人账户余额：不能为负数"})
    overlap = _clean_overlap(overlap_months)
    required = rules.employee_minimum_years(on)
    credits = _year_credits(person.pk)
    resident_years = [
        year
        for year, sources in credits.items()
        if sum(
            (v for s, v in sources.items() if s in ("personal", "back_payment", "government_paid")),
            ZERO,
        )
        > 0
    ]
    split = rules.link_split(
        employee_years=int(employee_years),
        required_years=required,
        resident_years=resident_years,
        year_credits=credits,
        overlap_months={int(y): m for y, m in overlap.items()},
    )
    with transaction.atomic():
        if SchemeLink.objects.filter(person=person).exists():
            raise ValidationError({"person": f"{person.name}已经登记过制度衔接"})
        link = SchemeLink.objects.create(
            person=person,
            village_id=person.village_id,
            employee_years=int(employee_years),
            required_years=required,
            employee_balance=employee_balance,
            overlap_months=overlap,
            outcome=split.outcome,
            resident_years=split.resident_years,
            refund=sum(split.refund_by_source.values(), ZERO),
            subsidy_reversed=sum(split.subsidy_by_source.values(), ZERO),
            explanation=[step.as_dict() for step in split.steps]
            + [
                {
                    "refund_by_source": {k: str(v) for k, v in split.refund_by_source.items()},
                    "subsidy_by_source": {k: str(v) for k, v in split.subsidy_by_source.items()},
                }
            ],
            created_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.LINK_CREATE,
            obj=link,
            after={
                "person": person.pk,
                "employee_years": link.employee_years,
                "outcome": link.outcome,
                "refund": link.refund,
                "subsidy_reversed": link.subsidy_reversed,
            },
        )
    return link


def link_decide(*, acting_user, link: SchemeLink, on=None) -> SchemeLink:
    """Book a registered link case (see the module doc); refused once done."""
    require(acting_user, "link.manage")
    require_in_scope(acting_user, link)
    on = _on(on)
    with transaction.atomic():
        link = SchemeLink.objects.select_for_update().select_related("person").get(pk=link.pk)
        if link.status == LinkStatus.DONE:
            raise ValidationError({"status": "这件制度衔接已经办结"})
        person = link.person
        split = link.explanation[-1] if link.explanation else {}
        refund = {k: Decimal(v) for k, v in split.get("refund_by_source", {}).items()}
        subsidy = {k: Decimal(v) for k, v in split.get("subsidy_by_source", {}).items()}
        common = {"on": on, "user": acting_user, "scheme_link": link}
        _entries(
            person,
            person.village_id,
            refund,
            sign=-1,
            reason="重复缴费月份退还个人",
            movement=Movement.LINK_REFUND,
            **common,
        )
        _entries(
            person,
            person.village_id,
            subsidy,
            sign=-1,
            reason="重复缴费月份冲回政府补贴",
            movement=Movement.LINK_SUBSIDY,
            **common,
        )
        if link.outcome == LinkOutcome.TO_EMPLOYEE:
            balances = _balances(person.pk)
            _entries(
                person,
                person.village_id,
                balances,
                sign=-1,
                reason="转入职工养老保险",
                movement=Movement.LINK_OUT,
                **common,
            )
            link.moved_out = sum(balances.values(), ZERO)
            enrolment = Enrolment.objects.filter(person=person, status__in=CONTRIBUTING).first()
            if enrolment is not None:
                enrolment_close(
                    acting_user=acting_user,
                    enrolment=enrolment,
                    reason=CloseReason.EMPLOYEE_SCHEME,
                    closed_on=on,
                    note=f"制度衔接第{link.pk}号",
                )
        else:
            _entries(
                person,
                person.village_id,
                {EntrySource.EMPLOYEE_TRANSFER.value: link.employee_balance},
                sign=1,
                reason="职保个人账户转入",
                movement=Movement.LINK_IN,
                **common,
            )
        link.status, link.decided_on = LinkStatus.DONE, on
        link.save()
        audit.record(
            actor=acting_user,
            action=PensionAction.LINK_DECIDE,
            obj=link,
            before={"status": LinkStatus.OPEN},
            after={
                "status": link.status,
                "outcome": link.outcome,
                "refund": link.refund,
                "subsidy_reversed": link.subsidy_reversed,
                "moved_out": link.moved_out,
                "employee_balance": link.employee_balance,
            },
        )
    return link

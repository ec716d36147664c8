"""Reads for deposits and the overdue lists, always through ``access.scope``.

Every date is an argument (``on=``): the overdue list *as of* a day, never a hidden "now".
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from jumin.collection.models import CashCalendar, Deposit, DepositStatus, Receipt, ReceiptStatus
from jumin.collection.queries.receipts import with_person_in_scope
from jumin.collection.rules import CalendarDays, deposit_deadlines, receipt_deadlines
from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import Region, RegionLevel

OVERDUE_KINDS = {
    "receipt_not_deposited": "票据逾期未缴存",
    "deposit_late": "逾期缴存",
    "township_check_overdue": "乡镇逾期未核对",
    "township_check_late": "乡镇逾期核对",
    "county_check_overdue": "县财务逾期未核对",
    "county_check_late": "县财务逾期核对",
}


def _region_filter(queryset: QuerySet, field_name: str, township: str, village: str) -> QuerySet:
    if village:
        return queryset.filter(**{field_name: village})
    if township:
        lookup = f"{field_name[:-3]}__pk__startswith" if field_name.endswith("_id") else field_name
        return queryset.filter(**{lookup: township[:9]})
    return queryset


def deposit_list(user, *, township: str = "", village: str = "", status: str = "") -> QuerySet:
    """Deposits of villages in the user's scope, newest first, with their receipt counts."""
    require(user, "deposit.view")
    deposits = scope(Deposit.objects.select_related("village", "recorded_by"), user)
    deposits = _region_filter(deposits, "village_id", township, village)
    if status:
        deposits = deposits.filter(status=status)
    return deposits.annotate(receipt_count=Count("receipts")).order_by("-deposited_on", "-pk")


def deposit_get(user, pk) -> Deposit:
    """One deposit in the user's scope or 404."""
    require(user, "deposit.view")
    return get_scoped_or_404(
        Deposit.objects.select_related(
            "village", "recorded_by", "township_checked_by", "county_checked_by"
        ),
        user,
        pk=pk,
    )


def deposit_receipts(user, deposit: Deposit) -> list:
    """The receipts a deposit (obtained through ``deposit_get``) carried, as recorded; with
    ``person_in_scope`` for payers the county has moved out of the user's scope since."""
    receipts = deposit.receipts.select_related("person").order_by("series", "number")
    return list(with_person_in_scope(receipts, user))


def undeposited_receipts(user, village_code: str) -> QuerySet:
    """Issued receipts of one village in the user's scope that no deposit carries yet."""
    require(user, "deposit.view")
    receipts = scope(Receipt.objects.select_related("person"), user)
    return receipts.filter(
        region_id=village_code, status=ReceiptStatus.ISSUED, deposit__isnull=True
    ).order_by("issued_at", "series", "number")


class _Calendars:
    """Calendar days by (county, year); one query per county and year asked."""

    def __init__(self):
        self.found: dict[tuple[str, int], CalendarDays] = {}

    def days(self, region_code: str, year: int) -> CalendarDays:
        key = (region_code[:6], year)
        if key not in self.found:
            calendar = CashCalendar.objects.in_force(region_code=region_code, year=year)
            self.found[key] = CalendarDays.of(calendar)
        return self.found[key]


def deadlines_for_deposit(deposit: Deposit):
    """(Deadlines, late) of one deposit, or (None, False) when it carries no receipts."""
    first = deposit.receipts.order_by("issued_at").first()
    if first is None:
        return None, False
    days = _Calendars().days(
        deposit.village_id, first.contribution_year or deposit.deposited_on.year
    )
    return deposit_deadlines(timezone.localdate(first.issued_at), deposit.deposited_on, days)


@dataclass
class OverdueRow:
    kind: str
    village_code: str
    township_code: str
    reference: str
    name: str
    amount: Decimal
    deadline: datetime.date
    days: int
    receipt_id: int | None = None
    deposit_id: int | None = None
    village_name: str = ""
    township_name: str = ""

    @property
    def kind_label(self) -> str:
        return OVERDUE_KINDS[self.kind]


@dataclass
class OverdueSummary:
    code: str
    name: str
    level: int
    counts: dict = field(default_factory=lambda: dict.fromkeys(OVERDUE_KINDS, 0))
    undeposited_amount: Decimal = Decimal("0.00")

    @property
    def count_list(self) -> list:
        return [self.counts[kind] for kind in OVERDUE_KINDS]


@dataclass
class OverdueReport:
    on: datetime.date
    rows: list
    summary: list  # OverdueSummary per township, each followed by its villages


def _local_day_end(on: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time())
    )


def _checked_on(moment) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def overdue_list(
    user, *, on: datetime.date, township: str = "", village: str = ""
) -> OverdueReport:
    """Everything behind its deadline as of ``on`` in the user's scope, per township and village.

    Receipts not deposited after their deposit deadline, deposits made late, deposits not
    checked by the township or county finance after their deadlines, and checks made late.
    Two queries for receipts and deposits, one per county and year for the calendars, one for
    region names.
    """
    require(user, "deposit.view")
    rows: list[OverdueRow] = []
    calendars = _Calendars()
    end = _local_day_end(on)

    receipts = scope(Receipt.objects.select_related("person"), user).filter(
        Q(deposit__isnull=True) | Q(deposit__deposited_on__gt=on),
        status=ReceiptStatus.ISSUED,
        issued_at__lt=end,
    )
    receipts = list(_region_filter(receipts, "region_id", township, village))
    for receipt in receipts:
        issued_on = timezone.localdate(receipt.issued_at)
        days = calendars.days(receipt.region_id, receipt.contribution_year or issued_on.year)
        deadline = receipt_deadlines(issued_on, days).deposit
        if on > deadline:
            rows.append(
                OverdueRow(
                    kind="receipt_not_deposited",
                    village_code=receipt.region_id,
                    township_code=receipt.region_id[:9].ljust(12, "0"),
                    reference=receipt.reference,
                    name=receipt.payer_name or (receipt.person.name if receipt.person else ""),
                    amount=receipt.amount or Decimal("0.00"),
                    deadline=deadline,
                    days=(on - deadline).days,
                    receipt_id=receipt.pk,
                )
            )

    deposits = scope(Deposit.objects.all(), user).filter(deposited_on__lte=on)
    deposits = deposits.exclude(status=DepositStatus.RETURNED)
    deposits = _region_filter(deposits, "village_id", township, village)
    deposits = list(
        deposits.annotate(
            first_issued=Min("receipts__issued_at"),
            first_year=Min("receipts__contribution_year"),
        ).filter(first_issued__isnull=False)
    )
    for deposit in deposits:
        days = calendars.days(deposit.village_id, deposit.first_year or deposit.deposited_on.year)
        deadlines, late = deposit_deadlines(
            timezone.localdate(deposit.first_issued), deposit.deposited_on, days
        )
        base = {
            "village_code": deposit.village_id,
            "township_code": deposit.village_id[:9].ljust(12, "0"),
            "reference": f"{deposit.bank} 缴款单{deposit.slip_number}",
            "name": deposit.depositor_name,
            "amount": deposit.amount,
            "deposit_id": deposit.pk,
        }
        if late:
            rows.append(
                OverdueRow(
                    kind="deposit_late",
                    deadline=deadlines.deposit,
                    days=(deposit.deposited_on - deadlines.deposit).days,
                    **base,
                )
            )
        for level, deadline, moment in (
            ("township", deadlines.township_check, deposit.township_checked_at),
            ("county", deadlines.county_check, deposit.county_checked_at),
        ):
            checked_on = _checked_on(moment)
            if checked_on is None or checked_on > on:
                if on > deadline:
                    rows.append(
                        OverdueRow(
                            kind=f"{level}_check_overdue",
                            deadline=deadline,
                            days=(on - deadline).days,
                            **base,
                        )
                    )
            elif checked_on > deadline:
                rows.append(
                    OverdueRow(
                        kind=f"{level}_check_late",
                        deadline=deadline,
                        days=(checked_on - deadline).days,
                        **base,
                    )
                )

    kind_order = list(OVERDUE_KINDS)
    rows.sort(key=lambda r: (r.village_code, kind_order.index(r.kind), -r.days, r.reference))
    return OverdueReport(on=on, rows=rows, summary=_summarise(rows))


def _summarise(rows: list[OverdueRow]) -> list[OverdueSummary]:
    codes = {row.village_code for row in rows} | {row.township_code for row in rows}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    by_code: dict[str, OverdueSummary] = {}
    villages_of: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        row.village_name = names.get(row.village_code, row.village_code)
        row.township_name = names.get(row.township_code, row.township_code)
        for code, level in (
            (row.township_code, RegionLevel.TOWNSHIP),
            (row.village_code, RegionLevel.VILLAGE),
        ):
            if code not in by_code:
                by_code[code] = OverdueSummary(code=code, name=names.get(code, code), level=level)
                if level == RegionLevel.VILLAGE:
                    villages_of[row.township_code].append(code)
            summary = by_code[code]
            summary.counts[row.kind] += 1
            if row.kind == "receipt_not_deposited":
                summary.undeposited_amount += row.amount
    ordered = []
    for code in sorted(villages_of):
        ordered.append(by_code[code])
        ordered.extend(by_code[village] for village in sorted(villages_of[code]))
    return ordered


def deposit_totals(user) -> dict:
    """Counts and sums of deposits by status in the user's scope (one query)."""
    rows = (
        scope(Deposit.objects.all(), user)
        .values("status")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    )
    return {row["status"]: row for row in rows}

"""Monthly reconciliation (对账) of cash collection, and the government's funds (政府代缴资金).

A village's month compares four things:

* the roster: the persons living in the village now whom a scheme expects to pay (the
  schemes' ``roster``, ``collection.schemes``; the pension: a paying enrolment), and their open
  personal dues of the year;
* the receipts issued in the month in the village (by ``issued_at``, local time; by the
  receipt's region, so money a village took stays its own after the payer moves away);
* the deposit slips that carried those receipts' cash (and slips of the month with none);
* the lines of the agency's bank statement linked to those slips (``services/statements.py``).

Every difference is listed as ``{"kind", "text", "blocking", "village", ...}``. Kinds:

=============================  ========  ==================================================
kind                           blocks?   meaning
=============================  ========  ==================================================
receipt_without_deposit        yes       an issued receipt no slip carries yet
deposit_without_receipts       yes       a slip of the month that lists no receipt
deposit_amount_differs         yes       slip amount ≠ the sum of its receipts
statement_amount_differs       yes       slip amount ≠ the bank line(s) linked to it
deposit_not_in_statement       yes       no bank line for the slip (yet)
deposit_not_county_checked     yes       the slip is not yet checked by county finance
statement_without_deposit      yes       a bank line no slip claims (county rows only: a
                                         bank line carries no village)
late_deposit                   no        slip made after its receipts' deposit day
                                         (the county's ``CashCalendar``; a receipt issued
                                         after that day belongs to next month's cycle)
payer_not_on_roster            partly    no scheme expects the person to pay (blocks), or the
                                         payer's name differs from the person's (informs:
                                         a family member often pays for an elder)
=============================  ========  ==================================================

Township rows aggregate their villages' rows (recomputed with them); the county row
aggregates the townships and adds the bank lines no slip claims.

The rows are computed and confirmed by ``services/reconciliation.py``.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Sum
from django.utils import timezone

from jumin.collection.counties import county_of
from jumin.collection.models import (
    BankStatementLine,
    CashCalendar,
    Deposit,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    Receipt,
    ReceiptStatus,
    Reconciliation,
)
from jumin.collection.rules import CalendarDays, month_of, next_month, receipt_deadlines
from jumin.collection.schemes import expected_payers
from jumin.core.access import (
    get_scoped_or_404,
    require,
    require_in_scope,
    scope,
    scope_flag,
)
from jumin.core.models import Region
from jumin.core.money import of_aggregate
from jumin.people.models import Person

ZERO = Decimal("0.00")


BLOCKING = frozenset(
    {
        "receipt_without_deposit",
        "deposit_without_receipts",
        "deposit_amount_differs",
        "statement_amount_differs",
        "deposit_not_in_statement",
        "deposit_not_county_checked",
        "statement_without_deposit",
    }
)


KIND_LABELS = {
    "receipt_without_deposit": "票据未缴存",
    "deposit_without_receipts": "缴款单无票据",
    "deposit_amount_differs": "缴款单与票据金额不符",
    "statement_amount_differs": "缴款单与银行到账金额不符",
    "deposit_not_in_statement": "银行未见到账",
    "deposit_not_county_checked": "县财务未核对",
    "statement_without_deposit": "银行到账无缴款单",
    "late_deposit": "逾期缴存",
    "payer_not_on_roster": "交款人与花名册不符",
}


FIGURES = ("roster_count", "receipt_count", "receipt_sum", "deposit_sum", "statement_sum")


def local_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(month, datetime.time.min)
    end = datetime.datetime.combine(next_month(month), datetime.time.min)
    return timezone.make_aware(start), timezone.make_aware(end)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min)
    return timezone.make_aware(start), timezone.make_aware(start + datetime.timedelta(days=1))


def blocking(differences: list[dict]) -> list[dict]:
    return [item for item in differences if item.get("blocking")]


def _diff(kind: str, text: str, village: Region, *, blocks: bool | None = None, **extra) -> dict:
    return {
        "kind": kind,
        "label": KIND_LABELS[kind],
        "text": text,
        "blocking": kind in BLOCKING if blocks is None else blocks,
        "village": village.code if village else "",
        "village_name": village.name if village else "",
        **{
            key: str(value) if isinstance(value, Decimal) else value for key, value in extra.items()
        },
    }


def _payer(receipt: Receipt) -> str:
    return (getattr(receipt, "payer_name", "") or "").strip()


def _calendars(villages: list[Region], year: int) -> dict[str, CashCalendar]:
    """The calendar in force for ``year`` in each county of ``villages``, by county code: one
    read (each county's own row for the year, else its latest earlier one, else the standard
    days)."""
    counties = {village.code[:6].ljust(12, "0") for village in villages}
    found: dict[str, CashCalendar] = {}
    for row in CashCalendar.objects.filter(county_id__in=counties, year__lte=year).order_by(
        "county_id", "-year"
    ):
        found.setdefault(row.county_id, row)
    return {
        county: found.get(county) or CashCalendar(county_id=county, year=year)
        for county in counties
    }


def month_figures(villages: list[Region], month: datetime.date) -> dict[str, dict]:
    """The four-way comparison of each village's month, by village code; reads only.

    One grouped pass: a fixed number of statements whatever the number of villages (each
    read covers every village, and its rows are then dealt to their village)."""
    if not villages:
        return {}
    start, end = local_bounds(month)
    by_code = {village.code: village for village in villages}
    calendars = _calendars(villages, month.year)
    # The roster is the people living in the village now; the receipts and slips are the
    # money the village took (by the receipt's region), even from someone who moved since.
    roster_counts = dict(
        expected_payers(Person.objects.filter(village_id__in=by_code))
        .order_by()
        .values("village_id")
        .annotate(count=Count("id"))
        .values_list("village_id", "count")
    )
    open_dues = dict(
        Due.objects.filter(
            person__village_id__in=by_code,
            year=month.year,
            kind=DueKind.PERSONAL,
            status=DueStatus.OPEN,
        )
        .order_by()
        .values("person__village_id")
        .annotate(count=Count("id"))
        .values_list("person__village_id", "count")
    )
    receipts_of: dict[str, list[Receipt]] = {code: [] for code in by_code}
    for receipt in (
        Receipt.objects.filter(
            region_id__in=by_code,
            status=ReceiptStatus.ISSUED,
            issued_at__gte=start,
            issued_at__lt=end,
        )
        .select_related("person")
        .order_by("issued_at", "series", "number")
    ):
        receipts_of[receipt.region_id].append(receipt)
    all_receipts = [receipt for rows in receipts_of.values() for receipt in rows]
    deposit_ids = {receipt.deposit_id for receipt in all_receipts if receipt.deposit_id}
    carrying = {
        deposit.pk: deposit
        for deposit in Deposit.objects.filter(pk__in=deposit_ids).order_by("deposited_on", "pk")
    }
    empty_slips_of: dict[str, list[Deposit]] = {code: [] for code in by_code}
    for deposit in (
        Deposit.objects.filter(
            village_id__in=by_code, deposited_on__gte=month, deposited_on__lt=next_month(month)
        )
        .exclude(status=DepositStatus.RETURNED)
        .annotate(receipt_total=Count("receipts"))
        .filter(receipt_total=0)
    ):
        empty_slips_of[deposit.village_id].append(deposit)
    slip_ids = set(carrying) | {
        deposit.pk for slips in empty_slips_of.values() for deposit in slips
    }
    carried = {
        row["deposit_id"]: {**row, "total": of_aggregate(row["total"])}
        for row in Receipt.objects.filter(deposit_id__in=slip_ids, status=ReceiptStatus.ISSUED)
        .order_by()
        .values("deposit_id")
        .annotate(total=Sum("amount"), count=Count("id"), first=Min("issued_at"))
    }
    banked = {
        row["deposit_id"]: {**row, "total": of_aggregate(row["total"])}
        for row in BankStatementLine.objects.filter(deposit_id__in=slip_ids)
        .order_by()
        .values("deposit_id")
        .annotate(total=Sum("amount"), count=Count("id"))
    }
    paying = set(
        expected_payers(
            Person.objects.filter(
                pk__in={receipt.person_id for receipt in all_receipts if receipt.person_id}
            )
        ).values_list("pk", flat=True)
    )
    figures = {}
    for code, village in by_code.items():
        receipts = receipts_of[code]
        deposits = {
            pk: carrying[pk]
            for pk in sorted(
                {receipt.deposit_id for receipt in receipts if receipt.deposit_id},
                key=lambda pk: (carrying[pk].deposited_on, pk),
            )
        }
        for deposit in empty_slips_of[code]:
            deposits[deposit.pk] = deposit
        differences = _receipt_differences(village, receipts, paying)
        deposit_sum, statement_sum, slip_differences = _deposit_differences(
            village,
            list(deposits.values()),
            carried,
            banked,
            CalendarDays.of(calendars[code[:6].ljust(12, "0")]),
        )
        figures[code] = {
            "roster_count": roster_counts.get(code, 0),
            "open_due_count": open_dues.get(code, 0),
            "receipt_count": len(receipts),
            "receipt_sum": sum((receipt.amount or ZERO for receipt in receipts), ZERO),
            "deposit_sum": deposit_sum,
            "statement_sum": statement_sum,
            "differences": differences + slip_differences,
        }
    return figures


def village_figures(village: Region, month: datetime.date) -> dict:
    """The four-way comparison of one village's month; reads only."""
    return month_figures([village], month)[village.code]


def _receipt_differences(village: Region, receipts: list[Receipt], paying: set) -> list[dict]:
    differences: list[dict] = []
    for receipt in receipts:
        issued_on = timezone.localdate(receipt.issued_at)
        name = receipt.person.name if receipt.person_id else ""
        payer = _payer(receipt) or name
        if receipt.deposit_id is None:
            differences.append(
                _diff(
                    "receipt_without_deposit",
                    f"票据 {receipt.reference}（{payer} {receipt.amount} 元，{issued_on}）还没有缴存",
                    village,
                    receipt=receipt.reference,
                    amount=receipt.amount,
                )
            )
        if receipt.person_id and receipt.person_id not in paying:
            differences.append(
                _diff(
                    "payer_not_on_roster",
                    f"票据 {receipt.reference} 的缴费人 {name} 不是本村正常缴费的参保人",
                    village,
                    blocks=True,
                    receipt=receipt.reference,
                )
            )
        elif payer and name and payer != name:
            differences.append(
                _diff(
                    "payer_not_on_roster",
                    f"票据 {receipt.reference} 的交款人“{payer}”与花名册姓名“{name}”不一致",
                    village,
                    blocks=False,
                    receipt=receipt.reference,
                )
            )
    return differences


def _deposit_differences(
    village: Region, deposits: list[Deposit], carried: dict, banked: dict, days: CalendarDays
) -> tuple[Decimal, Decimal, list[dict]]:
    differences: list[dict] = []
    deposit_sum = statement_sum = ZERO
    for deposit in deposits:
        deposit_sum += deposit.amount
        slip = f"{deposit.bank} {deposit.slip_number}"
        carry = carried.get(deposit.pk)
        if carry is None:
            differences.append(
                _diff(
                    "deposit_without_receipts",
                    f"缴款单 {slip}（{deposit.amount} 元，{deposit.deposited_on}）没有登记所含票据",
                    village,
                    deposit=deposit.slip_number,
                    amount=deposit.amount,
                )
            )
        elif carry["total"] != deposit.amount:
            differences.append(
                _diff(
                    "deposit_amount_differs",
                    f"缴款单 {slip} 金额 {deposit.amount} 元，所含 {carry['count']} 张票据合计 "
                    f"{carry['total']} 元，相差 {deposit.amount - carry['total']} 元",
                    village,
                    deposit=deposit.slip_number,
                    amount=deposit.amount - carry["total"],
                )
            )
        bank = banked.get(deposit.pk)
        if bank is None:
            differences.append(
                _diff(
                    "deposit_not_in_statement",
                    f"缴款单 {slip}（{deposit.amount} 元，{deposit.deposited_on}）"
                    "在银行对账单中没有找到",
                    village,
                    deposit=deposit.slip_number,
                    amount=deposit.amount,
                )
            )
        else:
            statement_sum += bank["total"]
            if bank["total"] != deposit.amount:
                differences.append(
                    _diff(
                        "statement_amount_differs",
                        f"缴款单 {slip} 金额 {deposit.amount} 元，银行对账单到账 "
                        f"{bank['total']} 元，相差 {deposit.amount - bank['total']} 元",
                        village,
                        deposit=deposit.slip_number,
                        amount=deposit.amount - bank["total"],
                    )
                )
        if deposit.status != DepositStatus.COUNTY_CHECKED:
            differences.append(
                _diff(
                    "deposit_not_county_checked",
                    f"缴款单 {slip} 尚未经县财务核对（当前：{deposit.get_status_display()}）",
                    village,
                    deposit=deposit.slip_number,
                )
            )
        if carry is not None:
            first = timezone.localdate(carry["first"])
            deadline = receipt_deadlines(first, days).deposit
            if deposit.deposited_on > deadline:
                late = (deposit.deposited_on - deadline).days
                differences.append(
                    _diff(
                        "late_deposit",
                        f"缴款单 {slip} 于 {deposit.deposited_on} 缴存，晚于截止日 {deadline}"
                        f"（逾期 {late} 天）",
                        village,
                        deposit=deposit.slip_number,
                        days=late,
                    )
                )
    return deposit_sum, statement_sum, differences


def county_extra(county: Region, month: datetime.date) -> list[dict]:
    """Bank lines of the month in the county's statement that no slip claims."""
    lines = BankStatementLine.objects.filter(
        region=county,
        deposit__isnull=True,
        booked_on__gte=month,
        booked_on__lt=next_month(month),
    ).order_by("booked_on", "pk")
    return [
        _diff(
            "statement_without_deposit",
            f"银行对账单 {line.booked_on} 凭证号 {line.reference} 到账 {line.amount} 元"
            f"（{line.counterparty or '对方户名空'}），没有对应的缴款单",
            None,
            line=line.pk,
            reference=line.reference,
            amount=line.amount,
        )
        for line in lines
    ]


def _prefix(code: str) -> str:
    region = Region.objects.filter(code=code).first()
    return region.prefix if region is not None else "-"


def reconciliation_list(user, *, month=None, region: str = ""):
    require(user, "reconciliation.view")
    rows = scope(Reconciliation.objects.select_related("region", "confirmed_by"), user)
    if month:
        rows = rows.filter(month=month_of(month))
    if region:
        rows = rows.filter(region__pk__startswith=_prefix(region))
    return rows.order_by("-month", "region_id")


def reconciliation_get(user, pk) -> Reconciliation:
    require(user, "reconciliation.view")
    return get_scoped_or_404(
        Reconciliation.objects.select_related("region", "confirmed_by"), user, pk=pk
    )


def receipts_of_day(user, day: datetime.date, *, region: str = "") -> list[dict]:
    """Receipts issued on ``day`` in the user's scope with the state of their money:
    the township clerk's "today" reconciliation."""
    require(user, "reconciliation.view")
    start, end = day_bounds(day)
    receipts = scope(Receipt.objects.all(), user).filter(
        status=ReceiptStatus.ISSUED, issued_at__gte=start, issued_at__lt=end
    )
    if region:
        receipts = receipts.filter(region__pk__startswith=_prefix(region))
    receipts = receipts.annotate(
        banked=Exists(BankStatementLine.objects.filter(deposit_id=OuterRef("deposit_id"))),
        person_in_scope=scope_flag(user, "person__village_id"),
    ).select_related("person", "region", "deposit", "issued_by", "due")
    rows = []
    for receipt in receipts.order_by("region_id", "issued_at", "series", "number"):
        deposit = receipt.deposit
        if deposit is None:
            state, ok = "未缴存", False
        else:
            state = f"已缴存（{deposit.slip_number}，{deposit.get_status_display()}）"
            state += "，银行已到账" if receipt.banked else "，银行未见到账"
            ok = receipt.banked and deposit.status == DepositStatus.COUNTY_CHECKED
        # a payer moved out of the user's scope since: the receipt as recorded, no person
        person = receipt.person if receipt.person_id and receipt.person_in_scope else None
        rows.append(
            {
                "receipt": receipt,
                "reference": receipt.reference,
                "payer": _payer(receipt) or (person.name if person else ""),
                "person": person,
                "person_name": person.name if person else "",
                "village": receipt.region,
                "deposit_state": state,
                "money_checked": ok,
                "due_status": receipt.due.get_status_display() if receipt.due_id else "",
            }
        )
    return rows


def government_paid_totals(user, *, region_code, year: int) -> dict:
    """Sums of the county's government-paid dues of a year by scheme and status (for the
    page): ``{(scheme, status): {"count", "total"}}``; each scheme's funds come from its own
    budget and are confirmed apart."""
    require(user, "reconciliation.view")
    county = county_of(region_code)
    require_in_scope(user, county.code)
    rows = (
        Due.objects.filter(
            village__pk__startswith=county.prefix, year=year, kind=DueKind.GOVERNMENT_PAID
        )
        .values("scheme", "status")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by()
    )
    return {
        (row["scheme"], row["status"]): {"count": row["count"], "total": of_aggregate(row["total"])}
        for row in rows
    }

"""The life of a due (应缴) — its statuses and the one table of the steps between them — and
the rules of the monthly cash calendar: its days, and the deadlines they make.

Deadlines (the county's ``CashCalendar``: the deposit day, the township and the county check
days, clamped to the month's last day) run in monthly cycles. A receipt issued on or before the
month's deposit day belongs to that month's cycle; one issued after it to the next month's
(cash taken on the 28th cannot be due on the 25th). A deposit's cycle is its earliest
receipt's; a deposit made after that cycle's deposit day is *late*, and its checks then run
on the cycle its own date falls in (the township cannot check before the money is there).

Every module that moves a due from one status to another does it through this table
(``Due.objects.filter(...).transition(DueStep.X, ...)``, in ``models/dues.py``), never by
writing ``status`` itself; a test holds every other module to that. The table is consulted to
build one set-based ``UPDATE``: the rows still in a status the step starts from are moved, the
others are left alone and not counted, so a step repeated (a form sent twice, a re-run) moves
nothing the second time.

====================  ===================  ==========  ==================================
step                  from                 to          what else the step writes
====================  ===================  ==========  ==================================
batch                 open                 in_batch    —  (a bank withholding batch)
bank_failed           in_batch             open        —  (the bank's result: not deducted)
bank_paid             in_batch             paid        the payment (channel … reference)
cash_paid             open                 paid        the payment (a cash receipt)
tax_paid              open                 paid        the payment (the tax bureau's file)
receipt_void          paid                 open        the payment cleared
confirm               paid                 confirmed   ``confirmed_at``
government_funds      open                 confirmed   the payment and ``confirmed_at``
post                  confirmed            posted      ``posted_at`` (by the due's scheme)
reverse               posted               cancelled   —  (the scheme reversed its credit)
cancel                open                 cancelled   —  (re-pricing left nothing to pay)
====================  ===================  ==========  ==================================

Pure data, no ORM: which fields a step must write is part of the table, so a caller that
forgets the payment date is refused before any row changes.
"""

import calendar
import datetime
import enum
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jumin.core.parsing import YEAR_MAX, YEAR_MIN


class DueStatus(models.TextChoices):
    OPEN = "open", _("未缴")
    IN_BATCH = "in_batch", _("代扣中")
    PAID = "paid", _("已缴")
    CONFIRMED = "confirmed", _("已核对")
    POSTED = "posted", _("已记账")
    CANCELLED = "cancelled", _("已取消")


# the fields a payment writes (all of them), and what clearing a payment sets them to
PAYMENT = ("channel", "paid_amount", "paid_on", "payment_reference")
NO_PAYMENT = {"channel": "", "paid_amount": None, "paid_on": None, "payment_reference": ""}


class DueStep(enum.StrEnum):
    BATCH = "batch"
    BANK_FAILED = "bank_failed"
    BANK_PAID = "bank_paid"
    CASH_PAID = "cash_paid"
    TAX_PAID = "tax_paid"
    RECEIPT_VOID = "receipt_void"
    CONFIRM = "confirm"
    GOVERNMENT_FUNDS = "government_funds"
    POST = "post"
    REVERSE = "reverse"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    required: tuple[str, ...] = ()  # fields the caller must give
    stamp: str = ""  # the time field the step sets (to ``at``)
    clears: tuple[tuple[str, object], ...] = ()  # fields the step resets


def _step(sources, target, *, required=(), stamp="", clears=None) -> Transition:
    return Transition(
        frozenset(sources), target, tuple(required), stamp, tuple((clears or {}).items())
    )


S = DueStatus
DUE_LIFE: dict[DueStep, Transition] = {
    DueStep.BATCH: _step({S.OPEN}, S.IN_BATCH),
    DueStep.BANK_FAILED: _step({S.IN_BATCH}, S.OPEN),
    DueStep.BANK_PAID: _step({S.IN_BATCH}, S.PAID, required=PAYMENT),
    DueStep.CASH_PAID: _step({S.OPEN}, S.PAID, required=PAYMENT),
    DueStep.TAX_PAID: _step({S.OPEN}, S.PAID, required=PAYMENT),
    DueStep.RECEIPT_VOID: _step({S.PAID}, S.OPEN, clears=NO_PAYMENT),
    DueStep.CONFIRM: _step({S.PAID}, S.CONFIRMED, stamp="confirmed_at"),
    DueStep.GOVERNMENT_FUNDS: _step({S.OPEN}, S.CONFIRMED, required=PAYMENT, stamp="confirmed_at"),
    DueStep.POST: _step({S.CONFIRMED}, S.POSTED, stamp="posted_at"),
    DueStep.REVERSE: _step({S.POSTED}, S.CANCELLED),
    DueStep.CANCEL: _step({S.OPEN}, S.CANCELLED),
}
del S

# A due in these statuses has been paid (whatever happened after).
PAID_STATUSES = (DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)

# The steps that pay a due (from unpaid to paid or confirmed): after each, the due's scheme
# hears of it (``schemes.paid``, its ``on_paid``) in the same transaction.
PAYING_STEPS = frozenset(
    step
    for step, transition in DUE_LIFE.items()
    if transition.target in PAID_STATUSES
    and not transition.sources & {DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED}
)


def update_of(step: DueStep, values: dict, *, at=None) -> tuple[frozenset[str], dict]:
    """(the statuses the step moves from, the columns its ``UPDATE`` writes) for ``values``
    given by the caller; ``ValueError`` when a required field is missing or a field is not
    the step's to write (the status above all)."""
    transition = DUE_LIFE[step]
    allowed = set(transition.required)
    extra = set(values) - allowed
    if extra:
        raise ValueError(f"due step {step}: may not write {sorted(extra)}")
    missing = allowed - set(values)
    if missing:
        raise ValueError(f"due step {step}: needs {sorted(missing)}")
    columns = {"status": transition.target, **dict(transition.clears), **values}
    if transition.stamp:
        if at is None:
            raise ValueError(f"due step {step}: needs at= for {transition.stamp}")
        columns[transition.stamp] = at
    return transition.sources, columns


def calendar_errors(deposit_day, township_check_day, county_check_day) -> list[str]:
    """Problems of a cash calendar: every day 1–31, the deposit before the township check,
    the township check no later than the county's."""
    errors = []
    days = {
        "deposit": ("缴存截止日", deposit_day),
        "township": ("乡镇核对截止日", township_check_day),
        "county": ("县级核对截止日", county_check_day),
    }
    valid = {}
    for key, (label, day) in days.items():
        if day is None:
            errors.append(f"{label}：请填写")
        elif 1 <= day <= 31:
            valid[key] = day
        else:
            errors.append(f"{label}：应为每月1日至31日中的一天")
    deposit, township, county = (valid.get(key) for key in ("deposit", "township", "county"))
    if township is not None and county is not None and township > county:
        errors.append(f"乡镇核对截止日：不能晚于县级核对截止日（{county}日）")
    if deposit is not None and township is not None and deposit >= township:
        errors.append(f"缴存截止日：须早于乡镇核对截止日（{township}日）")
    return errors


# --------------------------------------------------------------------------- cash deadlines


@dataclass(frozen=True)
class CalendarDays:
    """The three deadline days of a county's cash calendar."""

    deposit: int
    township_check: int
    county_check: int

    @classmethod
    def of(cls, calendar) -> "CalendarDays":
        return cls(calendar.deposit_day, calendar.township_check_day, calendar.county_check_day)


@dataclass(frozen=True)
class Deadlines:
    cycle: datetime.date  # the first day of the cycle's month
    deposit: datetime.date
    township_check: datetime.date
    county_check: datetime.date


def day_in_month(year: int, month: int, day: int) -> datetime.date:
    """``day`` of the month, or the month's last day when the month is shorter."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def cycle_of(day: datetime.date, days: CalendarDays) -> datetime.date:
    """The first day of the monthly cycle a receipt dated ``day`` belongs to."""
    if day <= day_in_month(day.year, day.month, days.deposit):
        return day.replace(day=1)
    if day.month == 12:
        return datetime.date(day.year + 1, 1, 1)
    return datetime.date(day.year, day.month + 1, 1)


def deadlines_of(cycle: datetime.date, days: CalendarDays) -> Deadlines:
    return Deadlines(
        cycle=cycle,
        deposit=day_in_month(cycle.year, cycle.month, days.deposit),
        township_check=day_in_month(cycle.year, cycle.month, days.township_check),
        county_check=day_in_month(cycle.year, cycle.month, days.county_check),
    )


def receipt_deadlines(issued_on: datetime.date, days: CalendarDays) -> Deadlines:
    """When the cash of a receipt issued on ``issued_on`` must be deposited and checked."""
    return deadlines_of(cycle_of(issued_on, days), days)


def deposit_deadlines(
    first_issued_on: datetime.date, deposited_on: datetime.date, days: CalendarDays
) -> tuple[Deadlines, bool]:
    """(deadlines, late) for a deposit whose earliest receipt is dated ``first_issued_on``.

    ``late`` when it was deposited after its receipts' deposit day; its check deadlines then
    move to the cycle its own date belongs to.
    """
    receipts_cycle = cycle_of(first_issued_on, days)
    late = deposited_on > deadlines_of(receipts_cycle, days).deposit
    cycle = max(receipts_cycle, cycle_of(deposited_on, days))
    deadlines = deadlines_of(cycle, days)
    # the deposit deadline stays the receipts' one, whatever cycle the checks run on
    return (
        Deadlines(
            cycle=cycle,
            deposit=deadlines_of(receipts_cycle, days).deposit,
            township_check=deadlines.township_check,
            county_check=deadlines.county_check,
        ),
        late,
    )


def days_between(later: datetime.date, earlier: datetime.date) -> int:
    return (later - earlier).days


# --------------------------------------------------------------------------- months


# A month to reconcile lies in the years every year typed in may take (core.parsing): year 1
# or 9999 is a typing mistake, and 9999-12 would overflow the next month's first day.
MONTH_YEAR_MIN = YEAR_MIN


MONTH_YEAR_MAX = YEAR_MAX


def month_of(value) -> datetime.date:
    """``2026-03`` / ``2026-03-17`` / a date → the first day of that month, in 1900–2100."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        month = value.replace(day=1)
    else:
        text = str(value or "").strip()[:20]
        month = None
        for pattern in ("%Y-%m", "%Y-%m-%d", "%Y%m"):
            try:
                month = datetime.datetime.strptime(text, pattern).date().replace(day=1)
                break
            except ValueError:
                continue
        if month is None:
            raise ValidationError({"month": f"月份“{text}”不正确，应写成 2026-03"})
    if not MONTH_YEAR_MIN <= month.year <= MONTH_YEAR_MAX:
        raise ValidationError(
            {"month": f"月份应在 {MONTH_YEAR_MIN} 年至 {MONTH_YEAR_MAX} 年之间，应写成 2026-03"}
        )
    return month


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


# --------------------------------------------------------------------------- receipt books


def handover_allowed(giver, receiver) -> bool:
    """The custody chain: county finance → township finance office → township labour office
    → village cadre. A book moves within one region, one level down, or back one level up."""
    giver_region, receiver_region = giver.region, receiver.region
    if giver_region is None or receiver_region is None:
        return False
    if receiver_region.code == giver_region.code:  # e.g. township finance → labour office
        return True
    if receiver_region.parent_id == giver_region.code:  # one level down
        return True
    return giver_region.parent_id == receiver_region.code  # a return upward

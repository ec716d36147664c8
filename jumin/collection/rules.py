"""The life of a due (应缴) — its statuses and the one table of the steps between them — and
the rule of the monthly cash calendar's days.

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

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


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

"""The personal account (个人账户): corrections by reversal (reads: ``queries/accounts.py``).

The ledger (``AccountEntry``) is append-only (the model and a database trigger refuse
updates and deletes). A correction is a new entry:

* ``entry_reverse`` — one entry is reversed by an entry of the opposite amount that names it
  (``reverses``) and gives a reason. A reversal cannot itself be reversed, and an entry can be
  reversed once only (the one-to-one ``reverses`` enforces it in the database too). To put
  back a wrongly reversed amount, the due is collected and posted again (see below).
* ``due_reverse`` — every still-standing entry of a posted due is reversed with the same
  reason, in one transaction, and the due becomes ``cancelled`` (decision: a cancelled due
  frees the person's year and kind, so the dues job or a clerk can make a new due that is
  collected and posted again; the receipts, deposits and bank lines of the old one stay as
  they were, for the record).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jumin.collection.models import Due, DueStatus, DueStep
from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.pension.models import AccountEntry
from jumin.pension.registry import PensionAction

ZERO = Decimal("0.00")


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写冲正原因"})
    if len(reason) > 200:
        raise ValidationError({"reason": "冲正原因过长（最多200个字）"})
    return reason


def _reversal(acting_user, entry: AccountEntry, reason: str) -> AccountEntry:
    if entry.reverses_id is not None:
        raise ValidationError({"entry": f"第 {entry.pk} 号记录本身是冲正记录，不能再冲正"})
    if AccountEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": f"第 {entry.pk} 号记录已经冲正过，不能重复冲正"})
    try:
        with transaction.atomic():
            return AccountEntry.objects.create(
                person_id=entry.person_id,
                village_id=entry.village_id,
                year=entry.year,
                source=entry.source,
                amount=-entry.amount,
                booked_on=timezone.localdate(),
                due_id=entry.due_id,
                reverses=entry,
                reason=reason,
                created_by=acting_user,
            )
    except IntegrityError:  # a concurrent reversal of the same entry won
        raise ValidationError({"entry": f"第 {entry.pk} 号记录已经冲正过，不能重复冲正"}) from None


def _may_reverse(acting_user, record) -> None:
    """Finance of the region where the person lives now (the entry's or due's scope; out of
    scope is 404)."""
    require(acting_user, "account.reverse")
    require_in_scope(acting_user, record)


def entry_reverse(*, acting_user, entry: AccountEntry, reason: str) -> AccountEntry:
    """Reverse one entry: a new entry of the opposite amount naming it, with a reason."""
    _may_reverse(acting_user, entry)
    reason = _clean_reason(reason)
    with transaction.atomic():
        reversal = _reversal(acting_user, entry, reason)
        audit.record(
            actor=acting_user,
            action=PensionAction.ACCOUNT_ENTRY_REVERSE,
            obj=reversal,
            before={"entry": entry.pk, "amount": entry.amount, "source": entry.source},
            after={"entry": reversal.pk, "amount": reversal.amount, "reverses": entry.pk},
            reason=reason,
        )
    return reversal


def due_reverse(*, acting_user, due: Due, reason: str) -> list[AccountEntry]:
    """Reverse every standing entry of a posted due and cancel the due (see the module doc)."""
    _may_reverse(acting_user, due)
    reason = _clean_reason(reason)
    with transaction.atomic():
        due = Due.objects.select_for_update().get(pk=due.pk)
        if due.status != DueStatus.POSTED:
            raise ValidationError(
                {"due": f"这笔应缴的状态是“{due.get_status_display()}”，只有已记账的才能冲正"}
            )
        standing = AccountEntry.objects.filter(
            due=due, reverses__isnull=True, reversed_by__isnull=True
        ).order_by("pk")
        reversals = [_reversal(acting_user, entry, reason) for entry in standing]
        Due.objects.filter(pk=due.pk).transition(DueStep.REVERSE)
        audit.record(
            actor=acting_user,
            action=PensionAction.DUE_REVERSE,
            obj=due,
            before={"status": DueStatus.POSTED},
            after={
                "status": DueStatus.CANCELLED,
                "reversed_entries": [entry.reverses_id for entry in reversals],
                "amount": sum((entry.amount for entry in reversals), ZERO),
            },
            reason=reason,
        )
    return reversals

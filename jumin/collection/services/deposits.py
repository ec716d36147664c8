"""Cash deposits (缴存) and their checks.

A cadre pays the cash taken against receipts into the agency's income account and records
the deposit slip with the receipts it carried (``deposit_record``). The township checks it
(``township_checked``) and county finance checks it after the township (``county_checked``);
either may return it with a reason, which releases its receipts for a new deposit.

The deadlines they run on (the county's ``CashCalendar``, in monthly cycles) are pure
arithmetic in ``rules.py``; the overdue list is ``queries/deposits.py``.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.collection.models import (
    Deposit,
    DepositStatus,
    Receipt,
    ReceiptStatus,
)
from jumin.collection.registry import CollectionAction
from jumin.collection.services.receipts import (
    _clean_reason,
    _error,
    books_refresh_money_deposited,
    clean_amount,
)
from jumin.core import audit
from jumin.core.access import can, in_scope, require, require_any, require_in_scope
from jumin.core.models import Region, RegionLevel

# --------------------------------------------------------------------------- writes


def _clean_text(field: str, value, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise _error(field, f"请填写{label}")
    if len(value) > max_length:
        raise _error(field, f"{label}过长（最多{max_length}个字）")
    return value


def _village(acting_user, village) -> Region:
    code = village.code if isinstance(village, Region) else str(village or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None or region.level != RegionLevel.VILLAGE:
        raise _error("village", "请选择您辖区内的村（社区）")
    require_in_scope(acting_user, code)
    return region


def _clean_receipt_ids(receipt_ids) -> list[int]:
    try:
        ids = sorted({int(value) for value in receipt_ids or []})
    except (TypeError, ValueError):
        raise _error("receipt_ids", "票据编号不正确") from None
    if not ids:
        raise _error("receipt_ids", "请勾选这次缴存所含的票据")
    return ids


def _same_submission(deposit: Deposit, data: dict, ids: list[int]) -> bool:
    stored = sorted(deposit.receipts.values_list("pk", flat=True))
    return (
        deposit.status != DepositStatus.RETURNED
        and deposit.village_id == data["village"].code
        and deposit.deposited_on == data["deposited_on"]
        and deposit.amount == data["amount"]
        and deposit.depositor_name == data["depositor_name"]
        and stored == ids
    )


def deposit_record(
    *,
    acting_user,
    village,
    bank: str,
    slip_number: str,
    deposited_on: datetime.date,
    amount,
    depositor_name: str,
    receipt_ids,
) -> Deposit:
    """Record one deposit slip and the receipts whose cash it carried.

    Safe to repeat: the same slip (bank + slip number) with the same content returns the stored
    deposit; with other content it is refused. A returned deposit's slip may be recorded again
    (corrected): the same row goes back to ``recorded``.
    """
    require(acting_user, "deposit.record")
    data = {
        "village": _village(acting_user, village),
        "bank": _clean_text("bank", bank, "存入银行", 40),
        "slip_number": _clean_text("slip_number", slip_number, "缴款单号", 40),
        "depositor_name": _clean_text("depositor_name", depositor_name, "缴款人", 50),
        "amount": clean_amount(amount),
    }
    if not isinstance(deposited_on, datetime.date):
        raise _error("deposited_on", "请填写缴存日期（如 2026-03-20）")
    if deposited_on > timezone.localdate():
        raise _error("deposited_on", "缴存日期不能晚于今天")
    data["deposited_on"] = deposited_on
    ids = _clean_receipt_ids(receipt_ids)
    with transaction.atomic():
        existing = (
            Deposit.objects.select_for_update()
            .filter(bank=data["bank"], slip_number=data["slip_number"])
            .first()
        )
        if existing is not None:
            if _same_submission(existing, data, ids):
                return existing  # a retry of the same slip
            if existing.status != DepositStatus.RETURNED:
                raise _error(
                    "slip_number",
                    f"{data['bank']}缴款单号{data['slip_number']}已经登记过，内容与这次不同",
                    code="duplicate",
                )
            if not in_scope(acting_user, existing.village_id):
                raise _error("slip_number", "该缴款单号已由其他辖区登记", code="duplicate")
        receipts = list(
            Receipt.objects.select_for_update().filter(pk__in=ids).order_by("series", "number")
        )
        found = {receipt.pk for receipt in receipts}
        missing = [pk for pk in ids if pk not in found]
        visible = [r for r in receipts if in_scope(acting_user, r.region_id)]
        if missing or len(visible) != len(receipts):
            raise _error("receipt_ids", "所选票据有的不存在或不在您的辖区内")
        problems = []
        for receipt in receipts:
            label = f"票据{receipt.reference}"
            if receipt.region_id != data["village"].code:
                problems.append(f"{label}是其他村的票据，不能登记在{data['village'].name}的缴存中")
            elif receipt.status != ReceiptStatus.ISSUED:
                problems.append(f"{label}状态为“{receipt.get_status_display()}”，不能缴存")
            elif receipt.deposit_id is not None and receipt.deposit_id != getattr(
                existing, "pk", None
            ):
                problems.append(f"{label}已在另一笔缴存中")
            elif timezone.localdate(receipt.issued_at) > deposited_on:
                problems.append(f"{label}的开票日期晚于缴存日期")
        if problems:
            raise ValidationError({"receipt_ids": problems})
        total = sum((receipt.amount for receipt in receipts), Decimal("0.00"))
        if total != data["amount"]:
            raise _error(
                "amount",
                f"缴存金额{data['amount']}元与所选{len(receipts)}张票据合计{total}元不一致",
            )
        before = None
        if existing is not None:
            before = {"status": existing.status, "return_reason": existing.return_reason}
            deposit = existing
            for field in ("village", "deposited_on", "amount", "depositor_name"):
                setattr(deposit, field, data[field])
            deposit.status = DepositStatus.RECORDED
            deposit.return_reason = ""
            deposit.recorded_by = acting_user
            deposit.recorded_at = timezone.now()
            deposit.township_checked_by = deposit.county_checked_by = None
            deposit.township_checked_at = deposit.county_checked_at = None
            deposit.save()
        else:
            deposit = Deposit.objects.create(recorded_by=acting_user, **data)
        Receipt.objects.filter(pk__in=ids).update(deposit=deposit)
        audit.record(
            actor=acting_user,
            action=CollectionAction.DEPOSIT_RECORD,
            obj=deposit,
            before=before,
            after={
                "bank": deposit.bank,
                "slip_number": deposit.slip_number,
                "deposited_on": deposited_on,
                "amount": deposit.amount,
                "depositor_name": deposit.depositor_name,
                "receipts": [receipt.reference for receipt in receipts],
            },
        )
    return deposit


def _locked(deposit: Deposit) -> Deposit:
    return Deposit.objects.select_for_update().get(pk=deposit.pk)


def deposit_check_township(*, acting_user, deposit: Deposit) -> Deposit:
    """The township clerk has found the slip and receipts in order."""
    require(acting_user, "deposit.check_township")
    with transaction.atomic():
        deposit = _locked(deposit)
        require_in_scope(acting_user, deposit.village_id)
        if deposit.status in (DepositStatus.TOWNSHIP_CHECKED, DepositStatus.COUNTY_CHECKED):
            return deposit  # already checked: a repeated click
        if deposit.status != DepositStatus.RECORDED:
            raise _error("deposit", "已退回的缴存记录不能核对，请等待重新登记")
        deposit.status = DepositStatus.TOWNSHIP_CHECKED
        deposit.township_checked_by = acting_user
        deposit.township_checked_at = timezone.now()
        deposit.save(update_fields=["status", "township_checked_by", "township_checked_at"])
        audit.record(
            actor=acting_user,
            action=CollectionAction.DEPOSIT_CHECK_TOWNSHIP,
            obj=deposit,
            before={"status": DepositStatus.RECORDED},
            after={"status": DepositStatus.TOWNSHIP_CHECKED},
        )
    return deposit


def deposit_check_county(*, acting_user, deposit: Deposit) -> Deposit:
    """County finance has found the money in the account; the receipts' books may be closed."""
    require(acting_user, "deposit.check_county")
    with transaction.atomic():
        deposit = _locked(deposit)
        require_in_scope(acting_user, deposit.village_id)
        if deposit.status == DepositStatus.COUNTY_CHECKED:
            return deposit
        if deposit.status != DepositStatus.TOWNSHIP_CHECKED:
            raise _error(
                "deposit",
                "乡镇核对之后县财务才能核对"
                if deposit.status == DepositStatus.RECORDED
                else "已退回的缴存记录不能核对",
            )
        deposit.status = DepositStatus.COUNTY_CHECKED
        deposit.county_checked_by = acting_user
        deposit.county_checked_at = timezone.now()
        deposit.save(update_fields=["status", "county_checked_by", "county_checked_at"])
        books_refresh_money_deposited(
            Receipt.objects.filter(deposit=deposit).values_list("book_id", flat=True).distinct()
        )
        audit.record(
            actor=acting_user,
            action=CollectionAction.DEPOSIT_CHECK_COUNTY,
            obj=deposit,
            before={"status": DepositStatus.TOWNSHIP_CHECKED},
            after={"status": DepositStatus.COUNTY_CHECKED},
        )
    return deposit


def deposit_check(*, acting_user, deposit: Deposit) -> Deposit:
    """The check the user's role makes: township clerk → township, finance → county."""
    if can(acting_user, "deposit.check_county"):
        return deposit_check_county(acting_user=acting_user, deposit=deposit)
    return deposit_check_township(acting_user=acting_user, deposit=deposit)


def require_deposit_checker(acting_user) -> bool:
    """Checking and returning deposits is for the township's or the county's checker; True
    for the county's. Pages ask before reading the form, so a reader gets 403 whatever it sent."""
    held = require_any(acting_user, "deposit.check_county", "deposit.check_township")
    return held == "deposit.check_county"


def deposit_return(*, acting_user, deposit: Deposit, reason: str) -> Deposit:
    """Send a deposit back with a reason; its receipts are free for a corrected deposit."""
    county = require_deposit_checker(acting_user)
    reason = _clean_reason(reason)
    with transaction.atomic():
        deposit = _locked(deposit)
        require_in_scope(acting_user, deposit.village_id)
        if deposit.status == DepositStatus.RETURNED:
            return deposit
        if deposit.status == DepositStatus.COUNTY_CHECKED:
            raise _error("deposit", "县财务已核对的缴存记录不能退回")
        if deposit.status == DepositStatus.TOWNSHIP_CHECKED and not county:
            raise _error("deposit", "乡镇已核对的缴存记录只能由县财务退回")
        before = {"status": deposit.status}
        receipts = list(Receipt.objects.filter(deposit=deposit).order_by("series", "number"))
        Receipt.objects.filter(deposit=deposit).update(deposit=None)
        deposit.status = DepositStatus.RETURNED
        deposit.return_reason = reason
        deposit.save(update_fields=["status", "return_reason"])
        audit.record(
            actor=acting_user,
            action=CollectionAction.DEPOSIT_RETURN,
            obj=deposit,
            before=before,
            after={
                "status": DepositStatus.RETURNED,
                "released": [receipt.reference for receipt in receipts],
            },
            reason=reason,
        )
    return deposit

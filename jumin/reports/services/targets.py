"""Writes of the yearly township targets (任务数): the county administrator's form."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.core import audit, money
from jumin.core.access import require
from jumin.reports.models import CollectionTarget
from jumin.reports.queries.progress import target_townships
from jumin.reports.registry import ReportsAction


def _count(name: str, value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({f"count_{name}": "任务数必须是整数"}) from None
    if number < 0 or number > 10_000_000:
        raise ValidationError({f"count_{name}": "任务数应在0至10000000之间"})
    return number


def _amount(name: str, value) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return money.parse(value)
    except money.MoneyError as error:
        raise ValidationError({f"amount_{name}": f"金额任务：{error.message}"}) from None


def targets_set(
    *, acting_user, year: int, targets: dict[str, tuple[object, object]]
) -> dict[str, int]:
    """Set the yearly targets of the townships of the user's county.

    ``targets`` maps a township code to (target_count, target_amount) as typed (strings or
    numbers; a blank count removes the township's target, a blank amount means none).
    Every township must belong to the user's county. Idempotent: saving the same values
    again changes nothing and writes no audit entry; a save that changes something writes
    one ``reports.target.set`` entry with the rows before and after.
    Returns {"created", "updated", "removed"}.
    """
    require(acting_user, "target.set")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度：应为2000至2100之间的年份"})
    county, rows = target_townships(acting_user, year=year)
    names = {row.code: row.name for row in rows}
    wanted = {}
    errors = {}
    for code, (count, amount) in targets.items():
        if code not in names:
            raise ValidationError({"region": f"乡镇{code}不在本县"})
        try:
            number = _count(code, count)
            money = _amount(code, amount)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors[key] = [f"{names[code]}：{message}" for message in messages]
            continue
        if number is None and money is not None:
            errors[f"count_{code}"] = [f"{names[code]}：填写了金额任务，也要填写任务数"]
            continue
        wanted[code] = (number, money)
    if errors:
        raise ValidationError(errors)
    counts = {"created": 0, "updated": 0, "removed": 0}
    before, after = {}, {}
    with transaction.atomic():
        existing = {
            target.region_id: target
            for target in CollectionTarget.objects.select_for_update().filter(
                year=year, region_id__in=list(wanted)
            )
        }
        now = timezone.now()
        for code, (number, money) in wanted.items():
            target = existing.get(code)
            if number is None:
                if target is not None:
                    before[code] = _plain(target.target_count, target.target_amount)
                    after[code] = None
                    target.delete()
                    counts["removed"] += 1
                continue
            if target is None:
                CollectionTarget.objects.create(
                    region_id=code,
                    year=year,
                    target_count=number,
                    target_amount=money,
                    set_by=acting_user,
                    set_at=now,
                )
                before[code] = None
                after[code] = _plain(number, money)
                counts["created"] += 1
            elif (target.target_count, target.target_amount) != (number, money):
                before[code] = _plain(target.target_count, target.target_amount)
                after[code] = _plain(number, money)
                target.target_count, target.target_amount = number, money
                target.set_by, target.set_at = acting_user, now
                target.save(update_fields=["target_count", "target_amount", "set_by", "set_at"])
                counts["updated"] += 1
        if after:
            audit.record(
                actor=acting_user,
                action=ReportsAction.TARGET_SET,
                object_type="reports.collectiontarget",
                object_id=f"{county.code}-{year}",
                object_label=f"{county.name}{year}年征缴任务",
                region_code=county.code,
                before=before,
                after={**after, **{f"_{key}": value for key, value in counts.items()}},
            )
    return counts


def _plain(count, amount) -> dict:
    return {"target_count": count, "target_amount": None if amount is None else str(amount)}

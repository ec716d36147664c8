"""Monthly reconciliation (对账): computing and confirming the rows, and the government's funds
(政府代缴资金). What a row holds and each kind of difference: ``queries/reconciliation.py``.

Confirming (``reconciliation_confirm``: the township clerk for a village or township, county
finance for any level) recomputes, is refused while a blocking difference remains, and in the
same transaction marks confirmed the rows below it and the dues of the receipts covered
(deposited, slip county-checked and found in the statement).

Recomputing a confirmed month (decision): when nothing changed the row stays confirmed and
untouched; when something changed (e.g. a receipt entered later with an earlier date) the row
goes back to draft with the new figures and must be confirmed again — dues confirmed before
stay confirmed, their money was checked. Each reopening is audited.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from jumin.collection import schemes
from jumin.collection.counties import county_of
from jumin.collection.models import (
    BankStatementLine,
    Channel,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    DueStep,
    Receipt,
    ReceiptStatus,
    Reconciliation,
    ReconciliationStatus,
)
from jumin.collection.queries.reconciliation import (
    FIGURES,
    blocking,
    county_extra,
    local_bounds,
    month_figures,
)
from jumin.collection.registry import CollectionAction
from jumin.collection.rules import month_of
from jumin.collection.services.statements import statement_match
from jumin.core import audit, money
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region, RegionLevel
from jumin.core.money import MoneyError
from jumin.core.text import is_ascii_digits


def _region(region) -> Region:
    if isinstance(region, Region):
        return region
    code = str(region or "").strip()
    if len(code) == 6 and is_ascii_digits(code):
        code = code.ljust(12, "0")
    found = Region.objects.filter(code=code).first()
    if found is None or found.level not in (
        RegionLevel.VILLAGE,
        RegionLevel.TOWNSHIP,
        RegionLevel.COUNTY,
    ):
        raise ValidationError({"region": f"区划“{region}”不是村、乡镇或县"})
    return found


def _check(acting_user, permission: str, region: Region) -> None:
    if acting_user is None:
        return
    require(acting_user, permission)
    require_in_scope(acting_user, region.code)


def _unchanged(row: Reconciliation, values: dict) -> bool:
    return all(
        getattr(row, name) == value for name, value in values.items() if name != "differences"
    ) and audit.jsonable(row.differences) == audit.jsonable(values["differences"])


def _store(
    acting_user, month: datetime.date, figures_of: dict[Region, dict]
) -> dict[str, Reconciliation]:
    """Upsert the rows of ``figures_of`` (region → figures) for ``month``, by region code.

    Set-based: one locking read of the rows there are, one INSERT of the new ones, one UPDATE
    of the changed ones and one of the unchanged drafts' computing time (plus an audit entry
    for each confirmed row that goes back to draft)."""
    now = timezone.now()
    existing = {
        row.region_id: row
        for row in Reconciliation.objects.select_for_update().filter(
            region_id__in=[region.code for region in figures_of], month=month
        )
    }
    stored: dict[str, Reconciliation] = {}
    new: list[Reconciliation] = []
    changed: list[Reconciliation] = []
    touched: list[int] = []
    for region, figures in figures_of.items():
        values = {name: figures[name] for name in FIGURES}
        values["differences"] = figures["differences"]
        row = existing.get(region.code)
        if row is None:
            row = Reconciliation(region=region, month=month, computed_at=now, **values)
            new.append(row)
        elif _unchanged(row, values):
            if row.status == ReconciliationStatus.DRAFT:
                touched.append(row.pk)
        else:
            before_status = row.status
            for name, value in values.items():
                setattr(row, name, value)
            row.computed_at = now
            if before_status == ReconciliationStatus.CONFIRMED:
                row.status = ReconciliationStatus.DRAFT
                row.confirmed_by = None
                row.confirmed_at = None
                audit.record(
                    actor=acting_user,
                    action=CollectionAction.RECONCILIATION_REOPEN,
                    obj=row,
                    before={"status": before_status},
                    after={"status": row.status, **{name: getattr(row, name) for name in FIGURES}},
                    reason="确认后数据有变化，重新计算为待确认",
                )
            changed.append(row)
        stored[region.code] = row
    if new:
        Reconciliation.objects.bulk_create(new)
    if changed:
        Reconciliation.objects.bulk_update(
            changed,
            [*FIGURES, "differences", "computed_at", "status", "confirmed_by", "confirmed_at"],
        )
    if touched:
        Reconciliation.objects.filter(pk__in=touched).update(computed_at=now)
    return stored


def _villages_of(region: Region) -> list[Region]:
    if region.level == RegionLevel.VILLAGE:
        return [region]
    return list(
        Region.objects.filter(code__startswith=region.prefix, level=RegionLevel.VILLAGE).order_by(
            "code"
        )
    )


def _compute(acting_user, region: Region, month: datetime.date) -> Reconciliation:
    """Upsert the rows of ``region`` and everything below it; inside a transaction.

    A fixed number of statements whatever the number of villages: the villages' figures in
    one grouped pass (``month_figures``), their rows stored together, then the townships'
    rows, then the region's own."""
    county = county_of(region.code[:6])
    statement_match(county)
    villages = _villages_of(region)
    figures = month_figures(villages, month)
    village_rows = _store(
        acting_user, month, {village: figures[village.code] for village in villages}
    )
    if region.level == RegionLevel.VILLAGE:
        return village_rows[region.code]
    townships: dict[str, list[Reconciliation]] = {}
    for village in villages:
        townships.setdefault(village.parent_id, []).append(village_rows[village.code])
    if region.level == RegionLevel.COUNTY:
        regions = Region.objects.in_bulk(list(townships))
        _store(acting_user, month, {regions[code]: _sum(rows) for code, rows in townships.items()})
    aggregate = _sum([row for rows in townships.values() for row in rows])
    if region.level == RegionLevel.COUNTY:
        aggregate["differences"] += county_extra(region, month)
    return _store(acting_user, month, {region: aggregate})[region.code]


def _sum(rows: list[Reconciliation]) -> dict:
    figures = {name: sum((getattr(row, name) for row in rows), 0) for name in FIGURES}
    for name in ("receipt_sum", "deposit_sum", "statement_sum"):
        figures[name] = money.of_aggregate(figures[name])
    figures["differences"] = [item for row in rows for item in row.differences]
    return figures


def reconciliation_compute(acting_user, region, month) -> Reconciliation:
    """Compute and store (upsert) one region's month; a township's or the county's rows
    aggregate the rows of their villages, which are stored too. See the module doc for what
    happens to a confirmed month. Writes, so it needs ``reconciliation.compute`` (checked
    before the input is read: a reader is refused whatever they send)."""
    if acting_user is not None:
        require(acting_user, "reconciliation.compute")
    region = _region(region)
    month = month_of(month)
    _check(acting_user, "reconciliation.compute", region)
    with transaction.atomic():
        row = _compute(acting_user, region, month)
        audit.record(
            actor=acting_user,
            action=CollectionAction.RECONCILIATION_COMPUTE,
            obj=row,
            after={
                "month": month,
                "status": row.status,
                "receipt_count": row.receipt_count,
                "differences": len(row.differences),
                "blocking": len(blocking(row.differences)),
            },
        )
    return row


def reconciliation_confirm(*, acting_user, reconciliation: Reconciliation) -> Reconciliation:
    """Confirm a month: refused while blocking differences remain; confirms the dues covered."""
    region = reconciliation.region
    month = reconciliation.month
    _check(acting_user, "reconciliation.confirm", region)
    with transaction.atomic():
        row = _compute(acting_user, region, month)
        if row.status == ReconciliationStatus.CONFIRMED:
            return row  # a form sent twice: confirmed already, nothing changed since
        stops = blocking(row.differences)
        if stops:
            shown = "；".join(item["text"] for item in stops[:5])
            more = f"；……共 {len(stops)} 处" if len(stops) > 5 else ""
            raise ValidationError(
                {
                    "differences": f"还有 {len(stops)} 处差异没有解决，不能确认：{shown}{more}",
                }
            )
        now = timezone.now()
        below = Reconciliation.objects.filter(
            region__pk__startswith=region.prefix,
            month=month,
            status=ReconciliationStatus.DRAFT,
        )
        rows_confirmed = below.update(
            status=ReconciliationStatus.CONFIRMED, confirmed_by=acting_user, confirmed_at=now
        )
        start, end = local_bounds(month)
        covered = Receipt.objects.filter(
            region__pk__startswith=region.prefix,
            status=ReceiptStatus.ISSUED,
            issued_at__gte=start,
            issued_at__lt=end,
            due__isnull=False,
            deposit__status=DepositStatus.COUNTY_CHECKED,
        ).filter(Exists(BankStatementLine.objects.filter(deposit_id=OuterRef("deposit_id"))))
        due_ids = list(covered.values_list("due_id", flat=True))
        # a receipt may pay several schemes' dues of one person: all carry its reference
        references = covered.annotate(
            reference=Concat("series", Value("-"), Cast("number", CharField()))
        ).values("reference")
        dues_confirmed = Due.objects.filter(
            Q(pk__in=due_ids) | Q(channel=Channel.CASH, payment_reference__in=references)
        ).transition(DueStep.CONFIRM, at=now)
        row.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=CollectionAction.RECONCILIATION_CONFIRM,
            obj=row,
            before={"status": ReconciliationStatus.DRAFT},
            after={
                "status": row.status,
                "month": month,
                "rows_confirmed": rows_confirmed,
                "dues_confirmed": dues_confirmed,
                "receipt_count": row.receipt_count,
                "receipt_sum": row.receipt_sum,
            },
        )
    return row


def government_paid_confirm(
    *, acting_user, region_code, year: int, amount, reference: str, scheme: str | None = None
) -> int:
    """Finance confirms the funds the finance bureau paid for the county's government-paid dues.

    ``scheme`` keeps one scheme's funds apart (the pension's 政府代缴 and the medical scheme's
    资助参保 come from different budgets); without it every scheme's dues are confirmed together.

    The sum of the county's open government-paid dues of ``year`` must equal ``amount``
    (refused with both figures otherwise); then they all become paid and confirmed through the
    government channel, with ``reference`` as the payment reference. Returns how many dues.
    A form sent twice: the second finds no open dues and is refused with a clear message."""
    county = county_of(region_code)
    _check(acting_user, "government_paid.confirm", county)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": "请填写拨款凭证号"})
    if len(reference) > 60:
        raise ValidationError({"reference": "拨款凭证号过长（最多60个字符）"})
    if scheme and scheme not in schemes.schemes():
        known = "、".join(f"{s.label}（{code}）" for code, s in schemes.schemes().items())
        raise ValidationError({"scheme": f"险种“{scheme[:20]}”不正确，应为{known}"})
    try:
        amount = money.parse(amount)
    except MoneyError as error:
        raise ValidationError({"amount": error.message}) from None
    with transaction.atomic():
        of_scheme = {"scheme": scheme} if scheme else {}
        dues = Due.objects.select_for_update().filter(
            village__pk__startswith=county.prefix,
            year=year,
            kind=DueKind.GOVERNMENT_PAID,
            status=DueStatus.OPEN,
            **of_scheme,
        )
        found = dues.aggregate(count=Count("id"), total=Sum("amount"))
        total = money.of_aggregate(found["total"])
        if not found["count"]:
            raise ValidationError(
                {"amount": f"{county.name}{year}年没有待确认的政府代缴应缴记录（可能已经确认过）"}
            )
        if total != amount:
            raise ValidationError(
                {
                    "amount": f"财政拨付金额 {amount} 元与{county.name}{year}年待确认的政府代缴"
                    f"应缴合计 {total} 元（{found['count']} 人）不符，相差 {amount - total} 元"
                }
            )
        count = Due.objects.filter(
            village__pk__startswith=county.prefix,
            year=year,
            kind=DueKind.GOVERNMENT_PAID,
            **of_scheme,
        ).transition(
            DueStep.GOVERNMENT_FUNDS,
            at=timezone.now(),
            channel=Channel.GOVERNMENT,
            paid_amount=F("amount"),
            paid_on=timezone.localdate(),
            payment_reference=reference,
        )
        audit.record(
            actor=acting_user,
            action=CollectionAction.GOVERNMENT_PAID_CONFIRM,
            object_type="collection.due",
            object_id=f"{county.code}/{year}",
            object_label=f"{county.name}{year}年"
            f"{schemes.label_of(scheme) if scheme else ''}政府代缴资金",
            region_code=county.code,
            after={
                "year": year,
                "amount": amount,
                "count": count,
                "reference": reference,
                **of_scheme,
            },
        )
    return count

"""The pooled medical fund (统筹基金): confirmed premiums posted as income, claims debited.

``post_confirmed`` takes a county's confirmed medical dues of a coverage year in chunks of
ids; per chunk, in one transaction: the chunk's dues are locked in id order, moved
``confirmed → posted`` (the due's ``post`` step, one ``UPDATE`` that stamps this run's
``posted_at``), then one ``INSERT ... SELECT`` per source writes the fund entries of exactly
those dues:

===========  ==========================================================
source       amount
===========  ==========================================================
premium      paid amount (else the due amount) of a personal or back-payment due
assistance   the same, of a government-paid due (医疗救助资助参保)
subsidy      ``Due.subsidy`` (财政补助), when not zero
===========  ==========================================================

The entries belong to the county (统筹区) and the coverage year (``Due.year``), never to a
person's account. Idempotent: only confirmed dues are taken, and a (due, source) pair already
in the ledger is skipped (the unique constraint refuses it anyway); each chunk commits with its
audit entry, so a killed run is finished by the next. Pension dues are never touched here,
nor medical dues by the pension's posting (both filter on ``Due.scheme``).

``fund_debit`` is what claims settlement (H5) calls: one negative ``claim`` entry per claim
reference (a repeat with the same reference returns the first entry). ``fund_reverse`` writes
the reversing entry of any entry, with a reason.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from jumin.collection.counties import county_of
from jumin.collection.models import Due, DueKind, DueStatus, DueStep
from jumin.core import audit, money
from jumin.core.access import in_scope, require
from jumin.core.money import MoneyError, of_aggregate
from jumin.medical.models import SCHEME, FundEntry, FundPosting, FundSource
from jumin.medical.registry import MedicalAction
from jumin.medical.services.enrolment import coverage_update

CHUNK = 10000
ENTRY = FundEntry._meta.db_table
DUE = Due._meta.db_table

SOURCES = [
    (
        f"CASE WHEN d.kind = '{DueKind.GOVERNMENT_PAID.value}' THEN "
        f"'{FundSource.ASSISTANCE.value}' ELSE '{FundSource.PREMIUM.value}' END",
        "COALESCE(d.paid_amount, d.amount)",
    ),
    (f"'{FundSource.SUBSIDY.value}'", "d.subsidy"),
]


def _insert_sql(source: str, amount: str) -> str:
    return f"""
        INSERT INTO {ENTRY} (
            scheme, coverage_year, region_id, source, amount, due_id, reference, posting_id,
            reverses_id, reason, booked_on, created_by_id, created_at
        )
        SELECT d.scheme, d.year, SUBSTR(d.village_id, 1, 6) || '000000', {source}, {amount},
            d.id, '', %s, NULL, '', %s, %s, %s
        FROM {DUE} d
        WHERE d.scheme = %s AND d.status = %s AND d.posted_at = %s
          AND d.id >= %s AND d.id <= %s AND {amount} <> 0
          AND NOT EXISTS (
              SELECT 1 FROM {ENTRY} e WHERE e.due_id = d.id AND e.source = {source}
          )
    """


def _confirmed(prefix: str, year: int):
    return Due.objects.filter(
        scheme=SCHEME, village__pk__startswith=prefix, year=year, status=DueStatus.CONFIRMED
    )


def _county(acting_user, region_code, permission: str):
    county = county_of(region_code)
    if acting_user is not None:
        require(acting_user, permission)
        if not in_scope(acting_user, county.code):
            raise ValidationError({"county": "只能为本人管辖的县记账"})
    return county


def post_confirmed(*, acting_user, region_code, coverage_year) -> FundPosting:
    """Post a county's confirmed medical dues of ``coverage_year`` to the fund (see the module
    doc); first the paid enrolments get their covered-from date (``coverage_update``)."""
    county = _county(acting_user, region_code, "medical_fund.post")
    try:
        year = int(coverage_year)
    except (TypeError, ValueError):
        raise ValidationError({"coverage_year": f"参保年度“{coverage_year}”不正确"}) from None
    coverage_update(acting_user=None, region_code=county.code, coverage_year=year)
    with transaction.atomic():
        posting = FundPosting.objects.create(
            region=county, coverage_year=year, created_by=acting_user
        )
    ops = connection.ops
    now = timezone.now()
    today_db = ops.adapt_datefield_value(timezone.localdate())
    now_db = ops.adapt_datetimefield_value(now)
    user_id = acting_user.pk if acting_user is not None else None
    last_id = 0
    while True:
        ids = list(
            _confirmed(county.prefix, year)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            break
        low, high = ids[0], ids[-1]
        last_id = high
        with transaction.atomic():
            list(
                Due.objects.select_for_update()
                .filter(pk__gte=low, pk__lte=high, scheme=SCHEME, status=DueStatus.CONFIRMED)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            dues = Due.objects.filter(
                pk__gte=low,
                pk__lte=high,
                scheme=SCHEME,
                year=year,
                village__pk__startswith=county.prefix,
            ).transition(DueStep.POST, at=now)
            entries = 0
            with connection.cursor() as cursor:
                for source, amount in SOURCES:
                    cursor.execute(
                        _insert_sql(source, amount),
                        [
                            posting.pk,
                            today_db,
                            user_id,
                            now_db,
                            SCHEME,
                            DueStatus.POSTED.value,
                            now_db,
                            low,
                            high,
                        ],
                    )
                    entries += cursor.rowcount
            amount = of_aggregate(
                FundEntry.objects.filter(
                    posting=posting, due_id__gte=low, due_id__lte=high
                ).aggregate(total=Sum("amount"))["total"]
            )
            FundPosting.objects.filter(pk=posting.pk).update(
                due_count=F("due_count") + dues,
                entry_count=F("entry_count") + entries,
                amount_sum=F("amount_sum") + amount,
            )
            audit.record(
                actor=acting_user,
                action=MedicalAction.FUND_POST_CHUNK,
                obj=posting,
                region_code=county.code,
                after={
                    "first_due": low,
                    "last_due": high,
                    "dues": dues,
                    "entries": entries,
                    "amount": amount,
                },
            )
    posting.refresh_from_db()
    by_source = {
        row["source"]: {"count": row["count"], "amount": of_aggregate(row["amount"])}
        for row in FundEntry.objects.filter(posting=posting)
        .values("source")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("source")
    }
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=MedicalAction.FUND_POST,
            obj=posting,
            region_code=county.code,
            after={
                "county": county.code,
                "coverage_year": year,
                "due_count": posting.due_count,
                "entry_count": posting.entry_count,
                "amount_sum": posting.amount_sum,
                "by_source": by_source,
            },
        )
    return posting


def _amount(value) -> Decimal:
    try:
        return money.parse(value)
    except MoneyError as error:
        raise ValidationError({"amount": error.message}) from None


def fund_debit(
    *,
    acting_user,
    region_code,
    coverage_year: int,
    amount,
    reference: str,
    booked_on: datetime.date,
    reason: str = "",
) -> FundEntry:
    """Pay ``amount`` (positive: what the basic fund pays for a claim) out of the county's
    fund of ``coverage_year``: one ``claim`` entry of ``-amount`` named by ``reference`` (the
    claim's number). The same reference again returns the first entry and adds nothing.
    Run inside the caller's transaction (the claim's settlement) or on its own."""
    county = (
        _county(acting_user, region_code, "medical_fund.post")
        if acting_user
        else (county_of(region_code))
    )
    amount = _amount(amount)
    if amount <= 0:
        raise ValidationError({"amount": "支出金额必须大于0"})
    reference = (reference or "").strip()
    if not reference or len(reference) > 60:
        raise ValidationError({"reference": "请填写业务单据号（最多60个字符）"})
    with transaction.atomic():
        existing = FundEntry.objects.filter(reference=reference, source=FundSource.CLAIM).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                entry = FundEntry.objects.create(
                    coverage_year=int(coverage_year),
                    region=county,
                    source=FundSource.CLAIM,
                    amount=-amount,
                    reference=reference,
                    reason=(reason or "")[:200],
                    booked_on=booked_on,
                    created_by=acting_user,
                )
        except IntegrityError:
            return FundEntry.objects.get(reference=reference, source=FundSource.CLAIM)
        audit.record(
            actor=acting_user,
            action=MedicalAction.FUND_DEBIT,
            obj=entry,
            after={
                "coverage_year": entry.coverage_year,
                "amount": entry.amount,
                "reference": reference,
            },
        )
    return entry


def fund_reverse(
    *, acting_user, entry: FundEntry, reason: str, booked_on: datetime.date
) -> FundEntry:
    """The reversing entry of ``entry`` (same year, county and due; amount negated); refused
    when it is already reversed."""
    _county(acting_user, entry.region_id, "medical_fund.post")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写冲正原因"})
    with transaction.atomic():
        if FundEntry.objects.filter(reverses=entry).exists():
            raise ValidationError({"entry": "这条基金记录已经冲正过"})
        reversal = FundEntry.objects.create(
            coverage_year=entry.coverage_year,
            region_id=entry.region_id,
            source=FundSource.REVERSAL,
            amount=-entry.amount,
            reverses=entry,
            reason=reason[:200],
            booked_on=booked_on,
            created_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action=MedicalAction.FUND_REVERSE,
            obj=reversal,
            after={"reverses": entry.pk, "amount": reversal.amount},
            reason=reason[:200],
        )
    return reversal

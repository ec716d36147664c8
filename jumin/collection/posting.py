"""Posting (记账): confirmed dues credited to the personal-account ledger by source.

``post_confirmed`` takes a county's confirmed dues of a year in chunks of ids and, per chunk
and in one transaction, runs one ``INSERT ... SELECT`` per source into
``pension_accountentry`` and one ``UPDATE`` marking the chunk's dues ``posted``:

================  ===========================================================
source            amount
================  ===========================================================
personal          the paid amount (else the due amount) of a ``personal`` due
back_payment      the same, for a ``back_payment`` due
government_paid   the same, for a ``government_paid`` due
subsidy_province  ``Due.subsidy_province``   (only when non-zero)
subsidy_city      ``Due.subsidy_city``       (only when non-zero)
subsidy_county    ``Due.subsidy_county``     (only when non-zero)
collective        ``Due.collective_subsidy`` (only when non-zero)
================  ===========================================================

Only dues with status ``confirmed`` are read, so nothing unconfirmed is ever credited.
Idempotent and resumable: each insert skips (due, source) pairs that already have an entry
(and the unique constraint would refuse them anyway); each chunk commits on its own, so a run
killed half-way is finished by the next one; a re-run finds no confirmed dues and adds
nothing (it still records its ``Posting`` row, with zero counts, as the log of runs).
One audit entry per committed chunk (its id range and counts) and one per run, with the
counts and the sum per source.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from jumin.collection.dues import refresh_statistics
from jumin.collection.models import Due, DueKind, DueStatus, Posting
from jumin.collection.reconciliation import money
from jumin.collection.statements import county_of
from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.pension.models import AccountEntry, EntrySource

CHUNK = 10000

CONTRIBUTION = (
    f"CASE d.kind WHEN '{DueKind.PERSONAL.value}' THEN '{EntrySource.PERSONAL.value}' "
    f"WHEN '{DueKind.BACK_PAYMENT.value}' THEN '{EntrySource.BACK_PAYMENT.value}' "
    f"WHEN '{DueKind.GOVERNMENT_PAID.value}' THEN '{EntrySource.GOVERNMENT_PAID.value}' END"
)
# (source expression, amount expression) per statement
SOURCES = [
    (CONTRIBUTION, "COALESCE(d.paid_amount, d.amount)"),
    (f"'{EntrySource.SUBSIDY_PROVINCE.value}'", "d.subsidy_province"),
    (f"'{EntrySource.SUBSIDY_CITY.value}'", "d.subsidy_city"),
    (f"'{EntrySource.SUBSIDY_COUNTY.value}'", "d.subsidy_county"),
    (f"'{EntrySource.COLLECTIVE.value}'", "d.collective_subsidy"),
]


def _insert_sql(source: str, amount: str) -> str:
    entry = AccountEntry._meta.db_table
    due = Due._meta.db_table
    return f"""
        INSERT INTO {entry} (person_id, village_id, year, source, amount, booked_on, due_id,
                             posting_id, reverses_id, reason, created_by_id, created_at)
        SELECT d.person_id, d.village_id, d.year, {source}, {amount}, %s, d.id,
               %s, NULL, '', %s, %s
        FROM {due} d
        WHERE d.id >= %s AND d.id <= %s AND d.year = %s AND d.status = %s
          AND d.village_id LIKE %s AND {amount} <> 0
          AND NOT EXISTS (
              SELECT 1 FROM {entry} e
              WHERE e.due_id = d.id AND e.source = {source} AND e.reverses_id IS NULL
          )
    """


def _confirmed(county_prefix: str, year: int):
    return Due.objects.filter(
        village__pk__startswith=county_prefix, year=year, status=DueStatus.CONFIRMED
    )


def post_confirmed(*, acting_user, region_code, year: int, progress=None) -> Posting:
    """Credit a county's confirmed dues of ``year`` to personal accounts; see the module doc.

    ``acting_user=None`` is the system (CLI, benchmark); staff need ``posting.run`` and the
    county in scope."""
    county = county_of(region_code)
    if acting_user is not None:
        require(acting_user, "posting.run")
        if not in_scope(acting_user, county.code):
            raise ValidationError({"county": "只能为本人管辖的县记账"})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": f"年度“{year}”不正确"}) from None
    prefix = county.prefix
    with transaction.atomic():
        posting = Posting.objects.create(
            region=county,
            year=year,
            created_by=acting_user,
            job=progress.run if progress is not None else None,
        )
    total = _confirmed(prefix, year).count()
    if progress is not None:
        progress.start(total=total, stage="记入个人账户")
    today = timezone.localdate()
    now = timezone.now()
    ops = connection.ops
    today_db = ops.adapt_datefield_value(today)
    now_db = ops.adapt_datetimefield_value(now)
    user_id = acting_user.pk if acting_user is not None else None
    due_count = entry_count = 0
    last_id = 0
    # fresh planner statistics (PostgreSQL): without them the planner, which last saw no
    # confirmed dues and an empty ledger, nests a scan of the ledger inside every due of the
    # chunk (quadratic: 20 000 dues took 40 s instead of 1.5 s in ``jumin bench collection``)
    refresh_statistics(Due)
    refresh_statistics(AccountEntry)
    first_chunk = True
    while True:
        ids = list(
            _confirmed(prefix, year)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            break
        low, high = ids[0], ids[-1]
        last_id = high
        entries_before = entry_count
        with transaction.atomic():
            # lock the chunk's dues so a concurrent run waits instead of clashing
            list(
                Due.objects.select_for_update()
                .filter(pk__gte=low, pk__lte=high, status=DueStatus.CONFIRMED)
                .values_list("pk", flat=True)
            )
            with connection.cursor() as cursor:
                for source, amount in SOURCES:
                    cursor.execute(
                        _insert_sql(source, amount),
                        [
                            today_db,
                            posting.pk,
                            user_id,
                            now_db,
                            low,
                            high,
                            year,
                            DueStatus.CONFIRMED.value,
                            prefix + "%",
                        ],
                    )
                    entry_count += max(cursor.rowcount, 0)
            chunk_entries = entry_count - entries_before
            chunk_dues = Due.objects.filter(
                pk__gte=low,
                pk__lte=high,
                year=year,
                status=DueStatus.CONFIRMED,
                village__pk__startswith=prefix,
            ).update(status=DueStatus.POSTED, posted_at=now)
            due_count += chunk_dues
            # Each chunk commits on its own, so it carries its own audit entry: a run killed
            # before its summary still leaves every credited chunk on the record.
            audit.record(
                actor=acting_user,
                action="posting.chunk",
                obj=posting,
                after={
                    "first_due": low,
                    "last_due": high,
                    "dues": chunk_dues,
                    "entries": chunk_entries,
                },
            )
        if first_chunk:
            refresh_statistics(AccountEntry)  # the ledger is no longer empty
            first_chunk = False
        if progress is not None:
            progress.advance(len(ids))
    by_source = {
        row["source"]: {"count": row["count"], "amount": money(row["amount"])}
        for row in AccountEntry.objects.filter(posting=posting)
        .values("source")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("source")
    }
    amount_sum = sum((row["amount"] for row in by_source.values()), Decimal("0.00"))
    with transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(
            due_count=due_count, entry_count=entry_count, amount_sum=amount_sum
        )
        posting.refresh_from_db()
        audit.record(
            actor=acting_user,
            action="posting.run",
            obj=posting,
            after={
                "county": county.code,
                "year": year,
                "due_count": due_count,
                "entry_count": entry_count,
                "amount_sum": amount_sum,
                "by_source": by_source,
            },
        )
    result = {
        "posting": posting.pk,
        "year": year,
        "due_count": due_count,
        "entry_count": entry_count,
        "amount_sum": str(amount_sum),
        "by_source": audit.jsonable(by_source),
    }
    if progress is not None:
        progress.finish(
            result,
            f"{county.name}{year}年：记账 {due_count} 笔应缴，{entry_count} 条个人账户记录，"
            f"合计 {amount_sum} 元",
        )
    return posting


def posting_list(user):
    from jumin.core.access import scope

    require(user, "account.view")
    return scope(Posting.objects.select_related("region", "created_by", "job"), user)

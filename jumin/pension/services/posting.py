"""Posting (记账): confirmed dues credited to the personal-account ledger by source.

``post_confirmed`` takes a county's confirmed pension dues of a year in chunks of ids and, per
chunk and in one transaction, first marks the chunk's confirmed dues ``posted`` (the due's
``post`` step, one ``UPDATE``) and names this run on their pension rows
(``ContributionDue.posting``, one ``UPDATE``), then runs one ``INSERT ... SELECT`` per source
into ``pension_accountentry`` over the dues of this run in the chunk:

================  ===========================================================
source            amount
================  ===========================================================
personal          the paid amount (else the due amount) of a ``personal`` due
back_payment      the same, for a ``back_payment`` due
government_paid   the same, for a ``government_paid`` due
subsidy_province  ``ContributionDue.subsidy_province``   (only when non-zero)
subsidy_city      ``ContributionDue.subsidy_city``       (only when non-zero)
subsidy_county    ``ContributionDue.subsidy_county``     (only when non-zero)
collective        ``ContributionDue.collective_subsidy`` (only when non-zero)
================  ===========================================================

Why the ``UPDATE`` comes first: under READ COMMITTED every statement sees what committed
before it started, so a withholding batch or the government-paid funds confirmed while a chunk
is in progress would be seen by some statements of the chunk and not by others. The old order
(inserts reading ``status = 'confirmed'``, then the update) marked such a due posted with only
some of its entries, and no re-run repaired it. Now the chunk's dues are locked, the one
``UPDATE`` of the step fixes the set (the dues it moved carry this run's ``posted_at``, and
their pension rows get ``posting = this run`` in the next statement, which only the run
holding the locks can do), and the inserts read that set only: a due confirmed meanwhile
stays ``confirmed`` for the next run. ``jumin check-ledger`` finds dues damaged before.

Only dues with status ``confirmed`` are taken, so nothing unconfirmed is ever credited.
Idempotent and resumable: each chunk commits on its own (a run killed between two statements
of a chunk rolls the whole chunk back, and the next run takes it again); in a chunk where a
due already has an entry (made by hand, or left by a run from before the posting locked its chunk) the inserts skip the
(due, source) pairs already credited (the unique constraint would refuse them anyway); a re-run finds no confirmed dues and adds nothing (it still records its
``Posting`` row, with zero counts, as the log of runs). The ``Posting`` row's counts and sum
grow inside each chunk's transaction, so a killed run's row tells what it committed.
One audit entry per committed chunk (its id range and counts) and one per run, with the
counts and the sum per source. Two runs at once: the chunk's dues are locked in id order
before the ``UPDATE``, so the second run waits, then finds them posted and adds nothing.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from jumin.collection.counties import county_of
from jumin.collection.models import Due, DueKind, DueStatus, DueStep
from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.database import refresh_statistics
from jumin.core.money import of_aggregate
from jumin.pension.models import SCHEME, AccountEntry, ContributionDue, EntrySource, Posting
from jumin.pension.registry import PensionAction

CHUNK = 10000

CONTRIBUTION = (
    f"CASE d.kind WHEN '{DueKind.PERSONAL.value}' THEN '{EntrySource.PERSONAL.value}' "
    f"WHEN '{DueKind.BACK_PAYMENT.value}' THEN '{EntrySource.BACK_PAYMENT.value}' "
    f"WHEN '{DueKind.GOVERNMENT_PAID.value}' THEN '{EntrySource.GOVERNMENT_PAID.value}' END"
)
# (source expression, amount expression) per statement
SOURCES = [
    (CONTRIBUTION, "COALESCE(d.paid_amount, d.amount)"),
    (f"'{EntrySource.SUBSIDY_PROVINCE.value}'", "c.subsidy_province"),
    (f"'{EntrySource.SUBSIDY_CITY.value}'", "c.subsidy_city"),
    (f"'{EntrySource.SUBSIDY_COUNTY.value}'", "c.subsidy_county"),
    (f"'{EntrySource.COLLECTIVE.value}'", "c.collective_subsidy"),
]


ENTRY = AccountEntry._meta.db_table
DUE = Due._meta.db_table
CONTRIBUTION = ContributionDue._meta.db_table
OF_THIS_RUN = "c.posting_id = %s AND c.due_id >= %s AND c.due_id <= %s"
THE_DUES = f"{CONTRIBUTION} c JOIN {DUE} d ON d.id = c.due_id"


def _insert_sql(source: str, amount: str, *, skip_credited: bool) -> str:
    """One source's entries for the dues this run marked posted in one chunk of ids.

    ``skip_credited`` leaves out (due, source) pairs that already have an entry: only for a
    chunk where ``_credited_sql`` found one (made by hand, or left by runs from before the posting locked its chunk).
    Otherwise the statement has no join at all, on purpose: the planner's statistics, taken
    before the run's UPDATE, expect no due of this run, and with an anti join it then scanned
    the ledger once per due (quadratic: 3.5 × bare SQL at 100 000 people)."""
    credited = f"""
          AND NOT EXISTS (
              SELECT 1 FROM {ENTRY} e
              WHERE e.due_id = d.id AND e.source = {source} AND e.reverses_id IS NULL
          )"""
    return f"""
        INSERT INTO {ENTRY} (person_id, village_id, year, source, amount, booked_on, due_id,
                             posting_id, reverses_id, reason, created_by_id, created_at)
        SELECT d.person_id, d.village_id, d.year, {source}, {amount}, %s, d.id,
               c.posting_id, NULL, '', %s, %s
        FROM {THE_DUES}
        WHERE {OF_THIS_RUN} AND {amount} <> 0{credited if skip_credited else ""}
    """


# Does any due this run marked in the chunk already have a ledger entry?
_credited_sql = f"""
    SELECT 1 FROM {THE_DUES}
    WHERE {OF_THIS_RUN}
      AND EXISTS (SELECT 1 FROM {ENTRY} e WHERE e.due_id = d.id AND e.reverses_id IS NULL)
    LIMIT 1
"""
# What the chunk credited: every non-zero source of every due of the run in the chunk, or,
# when some were credited before, the entries of this run.
_owed_sql = f"""
    SELECT SUM(COALESCE(d.paid_amount, d.amount) + c.subsidy_province + c.subsidy_city
               + c.subsidy_county + c.collective_subsidy)
    FROM {THE_DUES} WHERE {OF_THIS_RUN}
"""
_written_sql = f"""
    SELECT SUM(e.amount) FROM {THE_DUES}
    JOIN {ENTRY} e ON e.due_id = d.id AND e.posting_id = c.posting_id
    WHERE {OF_THIS_RUN}
"""


def _confirmed(county_prefix: str, year: int):
    return Due.objects.filter(
        scheme=SCHEME, village__pk__startswith=county_prefix, year=year, status=DueStatus.CONFIRMED
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
    last_id = 0
    # fresh planner statistics (PostgreSQL): without them the planner, which last saw no
    # confirmed dues and an empty ledger, nests a scan of the ledger inside every due of the
    # chunk (quadratic: 20 000 dues took 40 s instead of 1.5 s in ``jumin bench collection``)
    refresh_statistics(Due)
    refresh_statistics(ContributionDue)
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
        with transaction.atomic():
            counts = _post_chunk(
                posting, prefix, year, low, high, now=now, params=(today_db, user_id, now_db)
            )
            # Each chunk commits on its own, so it carries its own audit entry: a run killed
            # before its summary still leaves every credited chunk on the record.
            audit.record(
                actor=acting_user,
                action=PensionAction.POSTING_CHUNK,
                obj=posting,
                after={"first_due": low, "last_due": high, **counts},
            )
        if first_chunk:
            refresh_statistics(AccountEntry)  # the ledger is no longer empty
            first_chunk = False
        if progress is not None:
            progress.advance(len(ids))
    by_source = {
        row["source"]: {"count": row["count"], "amount": of_aggregate(row["amount"])}
        for row in AccountEntry.objects.filter(posting=posting)
        .values("source")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("source")
    }
    with transaction.atomic():
        posting.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.POSTING_RUN,
            obj=posting,
            after={
                "county": county.code,
                "year": year,
                "due_count": posting.due_count,
                "entry_count": posting.entry_count,
                "amount_sum": posting.amount_sum,
                "by_source": by_source,
            },
        )
    result = {
        "posting": posting.pk,
        "year": year,
        "due_count": posting.due_count,
        "entry_count": posting.entry_count,
        "amount_sum": str(posting.amount_sum),
        "by_source": audit.jsonable(by_source),
    }
    if progress is not None:
        progress.finish(
            result,
            f"{county.name}{year}年：记账 {posting.due_count} 笔应缴，"
            f"{posting.entry_count} 条个人账户记录，合计 {posting.amount_sum} 元",
        )
    return posting


def _post_chunk(posting, prefix: str, year: int, low: int, high: int, *, now, params) -> dict:
    """Post the confirmed dues with ids ``low``..``high`` (inside the caller's transaction):
    mark them posted by ``posting``, credit exactly those, count what was written into the
    run's row. Returns ``{"dues": n, "entries": n, "amount": Decimal}``."""
    # Lock in id order first, so two runs over the same ids queue up instead of deadlocking
    # (the UPDATE alone locks in whatever order its plan visits the rows).
    list(
        Due.objects.select_for_update()
        .filter(pk__gte=low, pk__lte=high, scheme=SCHEME, status=DueStatus.CONFIRMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chunk = Due.objects.filter(
        pk__gte=low, pk__lte=high, scheme=SCHEME, year=year, village__pk__startswith=prefix
    )
    dues = chunk.transition(DueStep.POST, at=now)
    if not dues:
        return {"dues": 0, "entries": 0, "amount": Decimal("0.00")}
    # this run's dues: the ones its step just stamped (locked by this transaction until it ends)
    ContributionDue.objects.filter(due_id__gte=low, due_id__lte=high, posting__isnull=True).filter(
        due__in=chunk.filter(status=DueStatus.POSTED, posted_at=now)
    ).update(posting=posting)
    today_db, user_id, now_db = params
    this_run = [posting.pk, low, high]
    entries = 0
    with connection.cursor() as cursor:
        cursor.execute(_credited_sql, this_run)
        resuming = cursor.fetchone() is not None
        for source, amount in SOURCES:
            cursor.execute(
                _insert_sql(source, amount, skip_credited=resuming),
                [today_db, user_id, now_db, *this_run],
            )
            entries += cursor.rowcount
        cursor.execute(_written_sql if resuming else _owed_sql, this_run)
        counts = {"dues": dues, "entries": entries, "amount": of_aggregate(cursor.fetchone()[0])}
    Posting.objects.filter(pk=posting.pk).update(
        due_count=F("due_count") + dues,
        entry_count=F("entry_count") + counts["entries"],
        amount_sum=F("amount_sum") + counts["amount"],
    )
    return counts

"""The ledger check as a recorded job (``jobs.ledger_check_submit``, the page 核对个人账户).

It proves every cached figure equals the entries it summarises, with one ``GROUP BY`` query
per kind of figure, whatever the number of rows:

* each due against its entries (``queries.ledger_check``: posted dues, cancelled dues, dues
  not posted that have entries);
* each posting run's ``entry_count`` and ``amount_sum`` against the entries it credited;
* each interest run's ``entry_count`` and ``amount_sum`` against its standing entries
  (reversals left aside: a corrected round keeps what it credited);
* each transfer sent: ``amount`` against its outgoing entries (and, once booked, incoming).

The result (counts and the first problems, in Chinese) is kept on the job and audited.
"""

from decimal import Decimal

from django.db import connection, transaction

from jumin.collection.counties import county_of
from jumin.core import audit
from jumin.core.money import of_aggregate
from jumin.pension.models import AccountEntry, InterestRun, Movement, Posting, Transfer
from jumin.pension.queries.ledger_check import ledger_check
from jumin.pension.registry import PensionAction

ENTRY = AccountEntry._meta.db_table
LIMIT = 20


def _run_problems(table: str, column: str, label: str, prefix: str, extra: str = "") -> list:
    """Runs of ``table`` whose cached count or sum differ from their entries."""
    sql = f"""
        SELECT r.id, r.entry_count, r.amount_sum, COUNT(e.id), COALESCE(SUM(e.amount), 0)
        FROM {table} r
        LEFT JOIN {ENTRY} e ON e.{column} = r.id AND e.reverses_id IS NULL {extra}
        WHERE r.region_id LIKE %s
        GROUP BY r.id, r.entry_count, r.amount_sum
        HAVING r.entry_count <> COUNT(e.id) OR ROUND(r.amount_sum - COALESCE(SUM(e.amount), 0), 2) <> 0
        ORDER BY r.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix + "%"])
        rows = cursor.fetchall()
    return [
        f"{label}第 {pk} 号：记录 {count} 条 {of_aggregate(cached)} 元，"
        f"个人账户实有 {found_count} 条 {of_aggregate(found)} 元"
        for pk, count, cached, found_count, found in rows
    ]


def _transfer_problems(prefix: str) -> list:
    table = Transfer._meta.db_table
    sql = f"""
        SELECT t.id, t.amount, t.status,
               COALESCE(SUM(CASE WHEN e.movement = %s THEN -e.amount ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN e.movement = %s THEN e.amount ELSE 0 END), 0)
        FROM {table} t
        LEFT JOIN {ENTRY} e ON e.transfer_id = t.id AND e.reverses_id IS NULL
        WHERE (t.from_village_id LIKE %s OR t.to_village_id LIKE %s)
          AND t.status IN ('sent', 'booked')
        GROUP BY t.id, t.amount, t.status
        HAVING ROUND(t.amount - COALESCE(SUM(CASE WHEN e.movement = %s THEN -e.amount ELSE 0 END), 0), 2) <> 0
            OR (t.status = 'booked' AND ROUND(t.amount - COALESCE(SUM(CASE WHEN e.movement = %s
                THEN e.amount ELSE 0 END), 0), 2) <> 0)
        ORDER BY t.id
    """
    out, inn = Movement.TRANSFER_OUT.value, Movement.TRANSFER_IN.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [out, inn, prefix + "%", prefix + "%", out, inn])
        rows = cursor.fetchall()
    return [
        f"转移接续第 {pk} 号：转移金额 {of_aggregate(amount)} 元，转出记录 {of_aggregate(sent)} 元，"
        f"转入记录 {of_aggregate(booked)} 元"
        for pk, amount, _status, sent, booked in rows
    ]


def ledger_check_run(*, acting_user, region_code, year=0, progress=None) -> dict:
    """Check a county's ledger against every cached figure; returns (and records) the result."""
    county = county_of(region_code)
    prefix = county.code[:6]
    if progress is not None:
        progress.start(total=4, stage="核对个人账户")
    dues = ledger_check(county_prefix=prefix, year=year or None, limit=LIMIT)
    if progress is not None:
        progress.advance(1)
    postings = _run_problems(Posting._meta.db_table, "posting_id", "记账批次", prefix)
    interest = _run_problems(InterestRun._meta.db_table, "interest_run_id", "计息批次", prefix)
    transfers = _transfer_problems(prefix)
    if progress is not None:
        progress.advance(3)
    problems = [
        *(f"应缴第 {p.due_id} 号（{p.year}年）：{p.description}" for p in dues.problems),
        *postings,
        *interest,
        *transfers,
    ]
    count = dues.count + len(postings) + len(interest) + len(transfers)
    result = {
        "ok": count == 0,
        "count": count,
        "dues": dues.count,
        "due_difference": str(dues.difference_sum),
        "postings": len(postings),
        "interest_runs": len(interest),
        "transfers": len(transfers),
        "problems": problems[:LIMIT],
    }
    with transaction.atomic():
        audit.record(actor=acting_user, action=PensionAction.LEDGER_CHECK, obj=county, after=result)
    if progress is not None:
        message = (
            "个人账户与应缴、记账批次、计息批次、转移接续的记录全部一致"
            if count == 0
            else f"发现 {count} 处不一致"
        )
        progress.finish(result, message)
    return result


ZERO = Decimal("0.00")

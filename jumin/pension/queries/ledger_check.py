"""Does the personal-account ledger hold exactly the money of the dues? (``jumin check-ledger``)

A posted due owes the ledger ``COALESCE(paid_amount, amount)`` plus its four subsidies, one
entry per non-zero source; the entries posting credited to it (reversals left aside) must add
up to that. A cancelled due's entries must all be reversed: its standing entries (entries plus
their reversals, which carry the opposite amount) add up to 0, which is what ``due_reverse``
leaves. A due in any other status (open, in a batch, paid, confirmed) must have no entry.

Any other state is money lost or credited twice: for instance a due marked posted with only
some of its entries, as posting runs left before they locked their chunk, when a confirmation committed during
a chunk. The check is one ``GROUP BY`` query over the dues and their entries, whatever their
number; it reads, never repairs (a repair is a reversal of the due and a new posting, made by
finance with a reason).

Decision: one entry of a posted due reversed on its own (``entry_reverse``, a correction
with a reason on the record) is not reported; the posted due is compared with what posting
credited to it. Reporting every such correction would bury the lost money under deliberate
acts, and a check that always fails is not watched.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from jumin.collection.models import Due, DueStatus
from jumin.core.money import of_aggregate
from jumin.pension.models import AccountEntry, ContributionDue

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LedgerProblem:
    """One due whose entries do not match it."""

    due_id: int
    person_id: int
    village_id: str
    year: int
    kind: str
    status: str
    owed: Decimal  # what the ledger should hold for the due in its status
    found: Decimal  # posted: what posting credited; otherwise what still stands
    entries: int  # its entries, reversals included

    @property
    def difference(self) -> Decimal:
        return self.found - self.owed

    @property
    def description(self) -> str:
        if self.status == DueStatus.POSTED:
            return f"已记账，个人账户应记 {self.owed} 元，实记 {self.found} 元"
        if self.status == DueStatus.CANCELLED:
            return f"已取消，但个人账户仍有 {self.found} 元未冲正"
        label = DueStatus(self.status).label
        return f"状态为“{label}”（未记账），个人账户却有 {self.entries} 条记录"


@dataclass(frozen=True)
class LedgerCheck:
    """The outcome: how many dues are wrong, the sum of their differences, the first rows."""

    count: int = 0
    difference_sum: Decimal = ZERO
    problems: list[LedgerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.count == 0


def _owed_sql() -> str:
    posted = DueStatus.POSTED.value
    return (
        f"CASE WHEN d.status = '{posted}' THEN COALESCE(d.paid_amount, d.amount) "
        "+ c.subsidy_province + c.subsidy_city + c.subsidy_county + c.collective_subsidy "
        "ELSE 0 END"
    )


def _check_sql(filters: list[str]) -> str:
    due = Due._meta.db_table
    contribution = ContributionDue._meta.db_table
    entry = AccountEntry._meta.db_table
    owed = _owed_sql()
    posted, cancelled = DueStatus.POSTED.value, DueStatus.CANCELLED.value
    found = (
        f"CASE WHEN d.status = '{posted}' "
        "THEN COALESCE(SUM(CASE WHEN e.reverses_id IS NULL THEN e.amount ELSE 0 END), 0) "
        "ELSE COALESCE(SUM(e.amount), 0) END"
    )
    where = " AND ".join(
        [f"(d.status IN ('{posted}', '{cancelled}') OR e.id IS NOT NULL)", *filters]
    )
    # ROUND: SQLite sums money as floating point; PostgreSQL's numeric is exact anyway.
    return f"""
        SELECT d.id, d.person_id, d.village_id, d.year, d.kind, d.status,
               {owed} AS owed,
               {found} AS found,
               COUNT(e.id) AS entries,
               COUNT(*) OVER () AS problem_count,
               SUM({found} - {owed}) OVER () AS difference_sum
        FROM {due} d
        JOIN {contribution} c ON c.due_id = d.id
        LEFT JOIN {entry} e ON e.due_id = d.id
        WHERE {where}
        GROUP BY d.id, d.person_id, d.village_id, d.year, d.kind, d.status, d.paid_amount,
                 d.amount, c.subsidy_province, c.subsidy_city, c.subsidy_county,
                 c.collective_subsidy
        HAVING ROUND({found} - {owed}, 2) <> 0
            OR (d.status NOT IN ('{posted}', '{cancelled}') AND COUNT(e.id) > 0)
        ORDER BY d.id
        LIMIT %s
    """


def ledger_check(*, county_prefix: str = "", year: int | None = None, limit: int = 20):
    """Every due (of the county whose code starts with ``county_prefix``, of ``year``) whose
    entries do not match it; see the module doc. ``limit`` bounds the rows returned, not the
    count or the sum."""
    filters, params = [], []
    if county_prefix:
        filters.append("d.village_id LIKE %s")
        params.append(county_prefix + "%")
    if year is not None:
        filters.append("d.year = %s")
        params.append(year)
    with connection.cursor() as cursor:
        cursor.execute(_check_sql(filters), [*params, max(int(limit), 1)])
        rows = cursor.fetchall()
    if not rows:
        return LedgerCheck()
    problems = [
        LedgerProblem(
            due_id=row[0],
            person_id=row[1],
            village_id=row[2],
            year=row[3],
            kind=row[4],
            status=row[5],
            owed=of_aggregate(row[6]),
            found=of_aggregate(row[7]),
            entries=row[8],
        )
        for row in rows
    ]
    return LedgerCheck(
        count=rows[0][9], difference_sum=of_aggregate(rows[0][10]), problems=problems
    )

"""The monthly payroll (待遇发放) of a county: build, approve, export, the bank's result, close.

**Build** (``payroll_build``) is set-based and resumable, like the posting run: first the
awards whose certification lapsed are suspended (``certification.suspend_lapsed``, one
``INSERT ... SELECT`` and one ``UPDATE``), then the county's active awards are taken in
chunks of ids; per chunk, in one transaction:

1. for each earlier month of the window (from the county's first payroll to last month), one
   ``INSERT ... SELECT`` of the **arrears** (补发): what the month is due under the standard
   in force for it *now* (``rules.basic_pension`` in SQL, plus the account pension) less what
   all lines of that month already paid (failed lines count: their retry pays them), where
   positive and the month is not in a suspension without arrears (imprisonment) — a raise
   entered in July and back-dated to January pays 6 × 20 in July (EXAMPLES E3); a lapse
   resumed pays its suspended months;
2. one ``INSERT ... SELECT`` of the **regular** line of the month for each award without one;
3. the account part is computed in the same ``INSERT ... SELECT``: ``from_account`` = the
   account pension while the account lasts, then the rest of it, then 0 (the fund pays all);
   what remains is the balance at award less what the award's earlier lines took, looked up
   only for the awards whose account could run out by this month (``REMAINING``), so no award
   is updated; after each step one ``INSERT ... SELECT`` of the debits into the
   personal-account ledger (source ``pension_paid``, one per line: unique);
4. one ``INSERT ... SELECT`` of the **retries** of lines that failed in earlier payrolls.

**Approval** holds, set-based, the lines of months after a death reported since the build
(status held, not sent to the bank, the account debit reversed with a reason); approving after
the 15th is allowed and recorded as late.

A month is never paid twice: one regular line per award and month (unique), at most one
arrears line per award, month and payroll (unique), and the arrears are a difference with
what was paid. A run killed half-way loses its open chunk's transaction whole; the next start
takes the chunks again from ``Payroll.built_through`` and each statement skips what exists.
One payroll per county and month; building it again adds only what is missing (a new award);
a month already paid is refused.
"""

import datetime
import hashlib
import io
import os
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from jumin.collection.counties import (
    county_of,
    require_in_scope_or_system,
    require_or_system,
)
from jumin.core import audit, jobs
from jumin.core.database import refresh_statistics
from jumin.core.money import of_aggregate
from jumin.core.parsing import InputError
from jumin.pension import rules
from jumin.pension.formats.payment import PAYMENT, PaymentHeader, PaymentLine
from jumin.pension.models import (
    PAID_STATUSES,
    AccountEntry,
    Award,
    AwardStatus,
    BenefitStandard,
    EntrySource,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
    Suspension,
)
from jumin.pension.registry import PensionAction

CHUNK = 20000  # awards per chunk; ``JUMIN_PAYROLL_CHUNK`` in the environment overrides it
RESULT_CHUNK = 5000
ZERO = Decimal("0.00")

LINE = PayrollLine._meta.db_table
AWARD = Award._meta.db_table
ENTRY = AccountEntry._meta.db_table
SUSPENSION = Suspension._meta.db_table
PAYROLL = Payroll._meta.db_table

# what remains in an award's account before a line: the balance at award less the account
# part every earlier line took (held lines took nothing: their debit was reversed). Computed
# only for an award whose account could run out this month: the account parts of one month
# never exceed the account pension (the arrears are a difference with what was paid), so an
# award with ``balance >= pension × months from its start through this month`` pays the whole
# part with no look at its lines (``%s``: this month's index, year × 12 + month).
REMAINING = (
    f"(a.account_balance - (SELECT COALESCE(SUM(r.from_account), 0) FROM {LINE} r "
    f"WHERE r.award_id = a.id AND r.status <> 'held'))"
)


def _month_index(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {column}) * 12 + EXTRACT(MONTH FROM {column}))"
    return (
        f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12 "
        f"+ CAST(strftime('%%m', {column}) AS INTEGER))"
    )


def _from_account(part: str) -> str:
    """SQL of the account part a line takes; one parameter: this month's index."""
    months = f"(%s - {_month_index('a.start_month')} + 1)"
    return (
        f"CASE WHEN a.account_balance >= a.account_pension * {months} THEN {part} "
        f"WHEN {REMAINING} >= {part} THEN {part} "
        f"WHEN {REMAINING} > 0 THEN {REMAINING} ELSE 0 END"
    )


def month_index(month: datetime.date) -> int:
    return month.year * 12 + month.month


def _basic_sql() -> str:
    """``rules.basic_pension`` in SQL: params base (central + local), after, per year (×2)."""
    return (
        "(%s + CASE WHEN a.contribution_years > %s "
        "THEN %s * (a.contribution_years - %s) ELSE 0 END)"
    )


def _basic_params(standard: BenefitStandard) -> list:
    after = standard.extra_after_years
    return [
        standard.central_minimum + standard.local_top_up,
        after,
        standard.extra_per_year,
        after,
    ]


IN_CHUNK = "a.id >= %s AND a.id <= %s AND a.status = 'active' AND a.village_id LIKE %s"
COLUMNS = (
    "payroll_id, award_id, person_id, village_id, month_for, kind, basic, account_part, "
    "from_account, total, status, retry_of_id, bank_reason"
)

_regular_sql = f"""
    INSERT INTO {LINE} ({COLUMNS})
    SELECT %s, a.id, a.person_id, a.village_id, %s, 'regular', {_basic_sql()},
           a.account_pension, {_from_account("a.account_pension")},
           {_basic_sql()} + a.account_pension, 'pending', NULL, ''
    FROM {AWARD} a
    WHERE {IN_CHUNK} AND a.start_month <= %s
      AND NOT EXISTS (SELECT 1 FROM {LINE} l
                      WHERE l.award_id = a.id AND l.month_for = %s AND l.kind = 'regular')
"""

# what a month already paid, per award of the chunk (failed lines count, retries do not)
_PAID = f"""
    SELECT award_id, SUM(basic) AS basic, SUM(account_part) AS account_part
    FROM {LINE} WHERE month_for = %s AND kind <> 'retry' AND award_id >= %s AND award_id <= %s
    GROUP BY award_id
"""
_DUE_BASIC = f"ROUND({_basic_sql()} - COALESCE(pd.basic, 0), 2)"
_DUE_ACCOUNT = "ROUND(a.account_pension - COALESCE(pd.account_part, 0), 2)"

_arrears_sql = f"""
    INSERT INTO {LINE} ({COLUMNS})
    SELECT %s, a.id, a.person_id, a.village_id, %s, 'arrears', {_DUE_BASIC}, {_DUE_ACCOUNT},
           {_from_account(_DUE_ACCOUNT)}, {_DUE_BASIC} + {_DUE_ACCOUNT}, 'pending', NULL, ''
    FROM {AWARD} a LEFT JOIN ({_PAID}) pd ON pd.award_id = a.id
    WHERE {IN_CHUNK} AND a.start_month <= %s
      AND {_DUE_BASIC} >= 0 AND {_DUE_ACCOUNT} >= 0 AND {_DUE_BASIC} + {_DUE_ACCOUNT} > 0.005
      AND NOT EXISTS (SELECT 1 FROM {SUSPENSION} s
                      WHERE s.award_id = a.id AND s.payable = %s AND s.from_month <= %s
                        AND (s.to_month IS NULL OR s.to_month >= %s))
      AND NOT EXISTS (SELECT 1 FROM {LINE} x WHERE x.award_id = a.id AND x.month_for = %s
                      AND x.kind = 'arrears' AND x.payroll_id = %s)
"""

# the lines of one step (payroll, month, kind) in the chunk that have not debited the account
_UNDEBITED = f"""
    l.payroll_id = %s AND l.month_for = %s AND l.kind = %s AND l.from_account > 0
    AND l.award_id >= %s AND l.award_id <= %s
    AND NOT EXISTS (SELECT 1 FROM {ENTRY} e WHERE e.payroll_line_id = l.id)
"""
_debit_sql = f"""
    INSERT INTO {ENTRY} (person_id, village_id, year, source, amount, booked_on, due_id,
                         posting_id, payroll_line_id, reverses_id, reason, created_by_id,
                         created_at)
    SELECT l.person_id, l.village_id, %s, '{EntrySource.PENSION_PAID.value}', -l.from_account,
           %s, NULL, NULL, l.id, NULL, '', %s, %s
    FROM {LINE} l WHERE {_UNDEBITED}
"""

_retry_sql = f"""
    INSERT INTO {LINE} ({COLUMNS})
    SELECT %s, l.award_id, l.person_id, l.village_id, l.month_for, 'retry', l.basic,
           l.account_part, 0, l.total, 'pending', l.id, ''
    FROM {LINE} l JOIN {PAYROLL} p ON p.id = l.payroll_id JOIN {AWARD} a ON a.id = l.award_id
    WHERE p.region_id = %s AND l.payroll_id <> %s AND l.status = 'failed'
      AND {IN_CHUNK}
      AND NOT EXISTS (SELECT 1 FROM {LINE} r WHERE r.retry_of_id = l.id)
"""


def parse_month(value) -> datetime.date:
    """``2026-03``, ``202603``, a date → the first of that month; ValidationError on ``month``."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    for layout in ("%Y-%m", "%Y%m", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, layout).date().replace(day=1)
        except ValueError:
            continue
    raise ValidationError({"month": f"发放月份“{text}”不正确，应为 年-月，如 2026-03"})


def standard_for(county_code: str, month: datetime.date) -> BenefitStandard | None:
    return BenefitStandard.objects.in_force(region_code=county_code, on=month)


def chunk_size() -> int:
    return int(os.environ.get("JUMIN_PAYROLL_CHUNK") or CHUNK)


def _chunk_awards(prefix: str, month: datetime.date, after: int) -> list[int]:
    return list(
        Award.objects.filter(
            pk__gt=after,
            status=AwardStatus.ACTIVE,
            village__pk__startswith=prefix,
            start_month__lte=month,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: chunk_size()]
    )


def payroll_build(*, acting_user, region_code, month, progress=None) -> Payroll:
    """Build (or finish building) the payroll of a county and month; see the module doc.

    ``acting_user=None`` is the system (CLI, benchmark, demo); staff need ``payroll.build``
    and the county in scope."""
    require_or_system(acting_user, "payroll.build")
    county = county_of(region_code)
    require_in_scope_or_system(acting_user, county.code)
    month = parse_month(month)
    standard = standard_for(county.code, month)
    if standard is None:
        raise ValidationError(
            {"month": f"{county.name}{month:%Y年%m月}没有适用的基础养老金标准，不能生成发放表"}
        )
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    with transaction.atomic():
        payroll, created = Payroll.objects.select_for_update().get_or_create(
            region=county,
            month=month,
            defaults={"built_by": user, "job": progress.run if progress is not None else None},
        )
        if payroll.status in PAID_STATUSES:
            raise ValidationError(
                {
                    "month": f"{county.name}{month:%Y年%m月}的待遇已经发放"
                    f"（{payroll.get_status_display()}），不能再次生成"
                }
            )
        if payroll.status != PayrollStatus.BUILT:
            raise ValidationError(
                {
                    "month": f"{county.name}{month:%Y年%m月}的发放表已审核"
                    f"（{payroll.get_status_display()}），不能重新生成"
                }
            )
        if payroll.build_finished:  # building again: take every award, add what is missing
            Payroll.objects.filter(pk=payroll.pk).update(built_through=0, build_finished=False)
            payroll.built_through, payroll.build_finished = 0, False
    from jumin.pension.services.certification import suspend_lapsed

    suspend_lapsed(
        county_code=county.code, month=month, cycle_months=standard.certification_cycle_months
    )
    first = (
        Payroll.objects.filter(region=county).order_by("month").values_list("month", flat=True)[0]
    )
    window = []
    for earlier in rules.months_between(first, rules.add_months(month, -1)):
        earlier_standard = standard_for(county.code, earlier)
        if earlier_standard is not None:
            window.append((earlier, earlier_standard))
    prefix = county.code[:6]
    total = Award.objects.filter(
        status=AwardStatus.ACTIVE, village__pk__startswith=prefix, start_month__lte=month
    ).count()
    if progress is not None:
        progress.start(total=total, stage="生成待遇发放表")
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(timezone.now())
    booked_db = ops.adapt_datefield_value(month)
    context = {
        "payroll": payroll,
        "prefix": prefix + "%",
        "month": month,
        "month_db": ops.adapt_datefield_value(month),
        "month_index": month_index(month),
        "standard": standard,
        "window": window,
        "debit": (month.year, booked_db, user.pk if user else None, now_db),
        # failed lines wait for their retry only after a payroll the bank partly failed
        "retries": Payroll.objects.filter(
            region=county, status=PayrollStatus.PARTLY_FAILED
        ).exists()
        or PayrollLine.objects.filter(
            payroll__region=county,
            payroll__status=PayrollStatus.CLOSED,
            status=LineStatus.FAILED,
        ).exists(),
    }
    last = payroll.built_through
    # fresh planner statistics (PostgreSQL), as the posting run does: the planner last saw an
    # empty payroll and ledger and would nest a scan of them inside every award of a chunk
    for model in (Award, PayrollLine, AccountEntry):
        refresh_statistics(model)
    first_chunk = True
    while True:
        ids = _chunk_awards(prefix, month, last)
        if not ids:
            break
        low, high = ids[0], ids[-1]
        with transaction.atomic():
            jobs.exclusive(f"payroll:{county.code}:{month:%Y-%m}")
            counts = _build_chunk(context, low, high)
            Payroll.objects.filter(pk=payroll.pk).update(built_through=high)
            audit.record(
                actor=user,
                action=PensionAction.PAYROLL_CHUNK,
                obj=payroll,
                after={"first_award": low, "last_award": high, **counts},
            )
            jobs.fault_point("payroll_chunk")
        last = high
        if first_chunk:
            refresh_statistics(PayrollLine)
            refresh_statistics(AccountEntry)
            first_chunk = False
        if progress is not None:
            progress.advance(len(ids))
    with transaction.atomic():
        by_kind = payroll_summary(payroll)
        standards = {f"{m:%Y-%m}": s.pk for m, s in window}
        standards[f"{month:%Y-%m}"] = standard.pk
        Payroll.objects.filter(pk=payroll.pk).update(
            build_finished=True,
            standards=standards,
            line_count=sum(kind["count"] for kind in by_kind.values()),
            amount_sum=sum((kind["total"] for kind in by_kind.values()), ZERO),
        )
        payroll.refresh_from_db()
        audit.record(
            actor=user,
            action=PensionAction.PAYROLL_BUILD,
            obj=payroll,
            after={
                "county": county.code,
                "month": f"{month:%Y-%m}",
                "line_count": payroll.line_count,
                "amount_sum": payroll.amount_sum,
                "by_kind": by_kind,
            },
        )
    if progress is not None:
        progress.finish(
            {
                "payroll": payroll.pk,
                "month": f"{month:%Y-%m}",
                "line_count": payroll.line_count,
                "amount_sum": str(payroll.amount_sum),
            },
            f"{county.name}{month:%Y年%m月}：发放 {payroll.line_count} 笔，"
            f"合计 {payroll.amount_sum} 元",
        )
    return payroll


def _build_chunk(context: dict, low: int, high: int) -> dict:
    payroll = context["payroll"]
    chunk = [low, high, context["prefix"]]
    counts = {"arrears": 0, "regular": 0, "retry": 0, "debits": 0}
    with connection.cursor() as cursor:
        for earlier, standard in context["window"]:
            earlier_db = connection.ops.adapt_datefield_value(earlier)
            basic = _basic_params(standard)
            cursor.execute(
                _arrears_sql,
                [
                    payroll.pk,
                    earlier_db,
                    *basic,  # basic
                    context["month_index"],  # from_account
                    *basic,  # total's basic
                    earlier_db,  # paid: month
                    low,
                    high,
                    *chunk,
                    earlier_db,  # start_month <=
                    *basic,  # >= 0
                    *basic,  # > 0
                    False,
                    earlier_db,
                    earlier_db,
                    earlier_db,
                    payroll.pk,
                ],
            )
            if cursor.rowcount:
                counts["arrears"] += cursor.rowcount
                counts["debits"] += _debit(cursor, context, earlier_db, LineKind.ARREARS, low, high)
        basic = _basic_params(context["standard"])
        month_db = context["month_db"]
        cursor.execute(
            _regular_sql,
            [
                payroll.pk,
                month_db,
                *basic,
                context["month_index"],
                *basic,
                *chunk,
                month_db,
                month_db,
            ],
        )
        counts["regular"] = cursor.rowcount
        counts["debits"] += _debit(cursor, context, month_db, LineKind.REGULAR, low, high)
        if context["retries"]:
            cursor.execute(_retry_sql, [payroll.pk, payroll.region_id, payroll.pk, *chunk])
            counts["retry"] = cursor.rowcount
    if counts["retry"]:
        PayrollLine.objects.filter(
            status=LineStatus.FAILED, retried_by__payroll=payroll, award_id__gte=low
        ).filter(award_id__lte=high).update(status=LineStatus.RETRIED)
    return counts


def _debit(cursor, context, month_db, kind: str, low: int, high: int) -> int:
    """Debit the account part of one step's new lines in the ledger (inside the chunk's
    transaction)."""
    payroll = context["payroll"]
    step = [payroll.pk, month_db, kind.value if hasattr(kind, "value") else kind]
    year, booked_db, user_id, now_db = context["debit"]
    cursor.execute(_debit_sql, [year, booked_db, user_id, now_db, *step, low, high])
    return cursor.rowcount


def payroll_summary(payroll: Payroll) -> dict:
    """Count and sums per kind of line (held lines left out): {kind: {count, total, basic,
    account, from_account}}."""
    rows = (
        PayrollLine.objects.filter(payroll=payroll)
        .exclude(status=LineStatus.HELD)
        .values("kind")
        .annotate(
            count=Count("id"),
            total=Sum("total"),
            basic=Sum("basic"),
            account=Sum("account_part"),
            from_account=Sum("from_account"),
        )
        .order_by("kind")
    )
    return {
        row["kind"]: {
            "count": row["count"],
            "total": of_aggregate(row["total"]),
            "basic": of_aggregate(row["basic"]),
            "account": of_aggregate(row["account"]),
            "from_account": of_aggregate(row["from_account"]),
        }
        for row in rows
    }


# --------------------------------------------------------------------------- approval


def payroll_approve(*, acting_user, payroll: Payroll) -> Payroll:
    """Maker-checker: a payroll is approved by another user than the one who built it. The
    lines of months after a death reported since the build are held (``_hold_after_death``);
    the payroll's count and sum become those of the lines sent."""
    require_or_system(acting_user, "payroll.approve")
    require_in_scope_or_system(acting_user, payroll.region_id)
    with transaction.atomic():
        payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
        if payroll.status != PayrollStatus.BUILT or not payroll.build_finished:
            raise ValidationError(
                {"payroll": f"发放表状态为“{payroll.get_status_display()}”，不能审核"}
            )
        if acting_user is not None and payroll.built_by_id == acting_user.pk:
            raise ValidationError(
                {
                    "approved_by": f"发放表由{acting_user.get_username()}生成，"
                    "审核须由另一位工作人员进行（双人复核）"
                }
            )
        held = _hold_after_death(acting_user, payroll)
        now = timezone.now()
        by_kind = payroll_summary(payroll)
        Payroll.objects.filter(pk=payroll.pk).update(
            status=PayrollStatus.APPROVED,
            approved_by=acting_user,
            approved_at=now,
            line_count=sum(kind["count"] for kind in by_kind.values()),
            amount_sum=sum((kind["total"] for kind in by_kind.values()), ZERO),
        )
        payroll.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.PAYROLL_APPROVE,
            obj=payroll,
            before={"status": PayrollStatus.BUILT.value},
            after={
                "status": payroll.status,
                "line_count": payroll.line_count,
                "amount_sum": payroll.amount_sum,
                "late": timezone.localdate(now) > payroll.approval_deadline,
                **held,
            },
        )
    return payroll


def _hold_after_death(acting_user, payroll: Payroll) -> dict:
    """Hold the lines of months after a death reported since the build (payment stops from
    the month after the death): their status becomes held, they are not sent to the bank,
    each account debit is reversed with a reason. Set-based, inside the approval."""
    lines = PayrollLine.objects.filter(
        payroll=payroll,
        status=LineStatus.PENDING,
        person__death_date__isnull=False,
        month_for__gt=F("person__death_date"),
    )
    held = list(lines.values_list("pk", flat=True))
    if not held:
        return {}
    totals = PayrollLine.objects.filter(pk__in=held).aggregate(amount=Sum("total"))
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    today = timezone.localdate()
    AccountEntry.objects.bulk_create(
        AccountEntry(
            person_id=entry.person_id,
            village_id=entry.village_id,
            year=today.year,
            source=EntrySource.PENSION_PAID,
            amount=-entry.amount,
            booked_on=today,
            reverses_id=entry.pk,
            reason="死亡后的月份止付，个人账户养老金退回账户",
            created_by=user,
        )
        for entry in AccountEntry.objects.filter(
            payroll_line_id__in=held, reverses__isnull=True, reversed_by__isnull=True
        )
    )
    PayrollLine.objects.filter(pk__in=held).update(status=LineStatus.HELD)
    return {"held_lines": held, "held_amount": of_aggregate(totals["amount"])}


# --------------------------------------------------------------------------- the bank file


def payment_lines(payroll: Payroll):
    rows = (
        PayrollLine.objects.filter(payroll=payroll, status=LineStatus.PENDING)
        .order_by("pk")
        .values_list(
            "pk",
            "person__id_number",
            "person__name",
            "person__social_security_card_number",
            "person__passbook_number",
            "month_for",
            "total",
        )
    )
    for pk, id_number, name, card, passbook, month_for, total in rows.iterator(chunk_size=5000):
        yield PaymentLine(pk, id_number, name, card or passbook, month_for, total)


def payment_header(payroll: Payroll) -> PaymentHeader:
    totals = PayrollLine.objects.filter(payroll=payroll, status=LineStatus.PENDING).aggregate(
        count=Count("id"), amount=Sum("total")
    )
    return PaymentHeader(payroll.key, totals["count"], of_aggregate(totals["amount"]))


def payroll_export(*, acting_user, payroll: Payroll, out=None) -> tuple[bytes | None, str]:
    """The bank payment file of an approved payroll, with its control totals: (bytes, file
    name), or written to the binary stream ``out`` (then bytes is None; memory stays flat)."""
    require_or_system(acting_user, "payroll.pay")
    require_in_scope_or_system(acting_user, payroll.region_id)
    if payroll.status not in (PayrollStatus.APPROVED, PayrollStatus.EXPORTED):
        raise ValidationError(
            {"payroll": f"发放表状态为“{payroll.get_status_display()}”，审核后才能导出银行文件"}
        )
    buffer = out if out is not None else io.BytesIO()
    digest = hashlib.sha256()
    header = payment_header(payroll)
    for chunk in PAYMENT.write(header, payment_lines(payroll)):
        digest.update(chunk)
        buffer.write(chunk)
    with transaction.atomic():
        Payroll.objects.filter(pk=payroll.pk).update(
            status=PayrollStatus.EXPORTED,
            exported_at=timezone.now(),
            export_sha256=digest.hexdigest(),
        )
        before = payroll.status
        payroll.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.PAYROLL_EXPORT,
            obj=payroll,
            before={"status": before},
            after={
                "status": payroll.status,
                "sha256": payroll.export_sha256,
                "line_count": header.line_count,
                "amount_sum": header.amount_sum,
            },
        )
    name = f"发放-{payroll.key}{PAYMENT.suffix}"
    return (None if out is not None else buffer.getvalue()), name


def payroll_result_import(*, acting_user, payroll: Payroll, data: bytes, on=None) -> Payroll:
    """The bank's result file: every line of the exported file, paid or failed. Another
    county or month, wrong totals, a line not in the file sent, an amount changed: the whole
    file is refused and nothing changes."""
    from jumin.collection.services.withholding import check_file_size, refuse

    require_or_system(acting_user, "payroll.pay")
    require_in_scope_or_system(acting_user, payroll.region_id)
    on = on or timezone.localdate()
    if payroll.status != PayrollStatus.EXPORTED:
        raise ValidationError(
            {"file": f"发放表状态为“{payroll.get_status_display()}”，不能导入银行结果"}
        )
    try:
        check_file_size(data)
    except InputError as error:
        raise ValidationError({"file": error.message}) from None
    parsed = PAYMENT.parse_result(data, on=on)
    if parsed.problems:
        refuse(parsed.problems, "银行结果文件无法读取，未导入：")
    from jumin.collection.formats.withholding import Problem

    problems = []
    if parsed.key != payroll.key:
        problems.append(
            Problem(1, "header", f"批次号{parsed.key}与本发放表{payroll.key}（县-月份）不符")
        )
    expected = dict(
        PayrollLine.objects.filter(payroll=payroll, status=LineStatus.PENDING).values_list(
            "pk", "total"
        )
    )
    paid, failed, seen = [], {}, set()
    count, amount = 0, ZERO
    for line in parsed.lines:
        count += 1
        amount += line.amount
        if line.line_id not in expected:
            problems.append(Problem(line.row, "line_id", f"明细号{line.line_id}不在本发放表中"))
            continue
        if line.line_id in seen:
            problems.append(Problem(line.row, "line_id", f"明细号{line.line_id}重复"))
            continue
        seen.add(line.line_id)
        if line.amount != expected[line.line_id]:
            problems.append(
                Problem(
                    line.row,
                    "amount",
                    f"金额{line.amount}与发放金额{expected[line.line_id]}不符",
                )
            )
        if line.paid:
            paid.append(line.line_id)
        else:
            failed.setdefault(f"{line.code} {line.reason}".strip()[:200], []).append(line.line_id)
    problems.extend(parsed.problems)
    if count != parsed.line_count:
        problems.insert(
            0,
            Problem(1, "line_count", f"笔数不符：控制行为{parsed.line_count}笔，明细为{count}笔"),
        )
    if amount != parsed.amount_sum:
        problems.insert(
            0,
            Problem(
                1, "amount_sum", f"金额合计不符：控制行为{parsed.amount_sum}元，明细合计{amount}元"
            ),
        )
    missing = len(expected) - len(seen)
    if missing > 0 and not problems:
        problems.append(Problem(None, "lines", f"有{missing}笔发放明细没有结果"))
    if problems:
        refuse(problems, "银行结果文件有以下问题，整个文件未导入（没有任何一笔改变）：")
    failed_count = sum(len(ids) for ids in failed.values())
    with transaction.atomic():
        locked = Payroll.objects.select_for_update().get(pk=payroll.pk)
        if locked.status != PayrollStatus.EXPORTED:
            raise ValidationError({"file": "发放表同时被其他操作修改，请重新导入"})
        for start in range(0, len(paid), RESULT_CHUNK):
            PayrollLine.objects.filter(
                payroll=payroll, pk__in=paid[start : start + RESULT_CHUNK]
            ).update(status=LineStatus.PAID)
        for reason, ids in failed.items():
            for start in range(0, len(ids), RESULT_CHUNK):
                PayrollLine.objects.filter(
                    payroll=payroll, pk__in=ids[start : start + RESULT_CHUNK]
                ).update(status=LineStatus.FAILED, bank_reason=reason)
        status = PayrollStatus.PARTLY_FAILED if failed_count else PayrollStatus.PAID
        Payroll.objects.filter(pk=payroll.pk).update(
            status=status,
            paid_on=parsed.paid_on,
            failed_count=failed_count,
            result_sha256=hashlib.sha256(data).hexdigest(),
        )
        payroll.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.PAYROLL_RESULT,
            obj=payroll,
            before={"status": PayrollStatus.EXPORTED.value},
            after={
                "status": status,
                "paid": len(paid),
                "failed": failed_count,
                "paid_on": parsed.paid_on,
            },
        )
    return payroll


def payroll_close(*, acting_user, payroll: Payroll) -> Payroll:
    require_or_system(acting_user, "payroll.pay")
    require_in_scope_or_system(acting_user, payroll.region_id)
    with transaction.atomic():
        changed = Payroll.objects.filter(
            pk=payroll.pk, status__in=[PayrollStatus.PAID, PayrollStatus.PARTLY_FAILED]
        ).update(status=PayrollStatus.CLOSED)
        if not changed:
            raise ValidationError(
                {"payroll": f"发放表状态为“{payroll.get_status_display()}”，银行结果导入后才能结束"}
            )
        before = payroll.status
        payroll.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.PAYROLL_CLOSE,
            obj=payroll,
            before={"status": before},
            after={"status": payroll.status},
        )
    return payroll


def finance_rows(payroll: Payroll) -> list[dict]:
    """The finance submission (资金申请): per village, lines and money by where it comes from."""
    return list(
        PayrollLine.objects.filter(payroll=payroll)
        .exclude(status__in=[LineStatus.RETRIED, LineStatus.HELD])
        .values("village_id", "village__name")
        .annotate(
            count=Count("id"),
            basic=Sum("basic"),
            account=Sum("account_part"),
            from_account=Sum("from_account"),
            amount=Sum("total"),
            arrears=Sum("total", filter=Q(kind=LineKind.ARREARS)),
        )
        .order_by("village_id")
    )

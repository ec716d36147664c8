"""Bank withholding (银行代扣代缴): batches, export files, result files, confirmation.

Who is in a batch is the schemes' word (``collection.schemes``: their ``bank_payers``); the
dues move along their life (``collection.rules``):

    open personal dues ──batch_create──▶ in_batch ──result_import──▶ paid ──batch_confirm──▶ confirmed
                                                    └──(failed)──▶ open (next round or cash)

Every step is set-based (``INSERT ... SELECT``, ``UPDATE ... WHERE id IN (SELECT ...)``,
chunked reads), so a million-line batch is a handful of statements. A result file is checked
whole before anything is written: wrong encoding, wrong control totals, truncated lines, lines
naming an unknown line or account, amounts that differ from what was sent, repeated lines —
each is listed with its line number and the whole file is refused, so nothing is credited by
half. So are a file over ``JUMIN_BANK_FILE_MAX_BYTES`` or ``JUMIN_BANK_FILE_MAX_LINES`` (before
it is read), a file with no lines, a deduction date after the import day or before 1900, and
amounts, numbers and text that do not fit their columns (``formats``). The same file again (same SHA-256) returns the earlier import and changes nothing; a
line that already has the same result is left as it is.
"""

import datetime
import hashlib
from array import array
from decimal import Decimal
from itertools import chain

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from jumin.collection import schemes
from jumin.collection.counties import county_code_of, require_in_scope_or_system, require_or_system
from jumin.collection.formats.withholding import (
    BatchHeader,
    ExportLine,
    Problem,
    adapter_for,
)
from jumin.collection.models import (
    BankResultFile,
    BatchStatus,
    Channel,
    Due,
    DueKind,
    DueStatus,
    DueStep,
    LineResult,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.registry import CollectionAction
from jumin.core import audit
from jumin.core.bulk import insert_rows
from jumin.core.database import refresh_statistics
from jumin.core.models import Region
from jumin.core.text import export_text
from jumin.core.uploads import check_lines, check_size
from jumin.people.models import Person

CHUNK = 5000
PROBLEMS_LISTED = 500
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def batch_key(batch: WithholdingBatch) -> str:
    return f"{batch.region_id[:6]}-{batch.year}-{batch.bank}-{batch.round:02d}"


def batch_header(batch: WithholdingBatch) -> BatchHeader:
    return BatchHeader(batch_key(batch), batch.line_count, batch.amount_sum)


def _check_scope(acting_user, region_code: str) -> None:
    require_in_scope_or_system(acting_user, region_code)


def refuse(problems: list[Problem], title: str) -> None:
    """Raise one ValidationError listing every problem (the first PROBLEMS_LISTED)."""
    messages = [title] + [str(problem) for problem in problems[:PROBLEMS_LISTED]]
    if len(problems) > PROBLEMS_LISTED:
        messages.append(f"另有{len(problems) - PROBLEMS_LISTED}个问题未列出")
    error = ValidationError({"file": messages})
    error.problems = [problem.as_dict() for problem in problems]
    raise error


# --------------------------------------------------------------------------- create


def _lines_sql(payers: str) -> str:
    """The batch's lines: the open personal dues of the county collected in the batch's year
    (``Due.collected_in``: the pension of that year, the medical premium of the next) that
    their schemes' ``bank_payers`` keep (``payers``: that subquery's SQL), of living persons whose passbook
    is with the bank, numbered by village."""
    line = WithholdingLine._meta.db_table
    due = Due._meta.db_table
    person = Person._meta.db_table
    return f"""
        INSERT INTO {line} (
            batch_id, line_number, due_id, person_id, village_id, account_number, amount,
            result, bank_reason
        )
        SELECT %s, ROW_NUMBER() OVER (ORDER BY d.village_id, d.id), d.id, d.person_id,
            d.village_id, p.passbook_number, d.amount, %s, ''
        FROM {due} d
        JOIN {person} p ON p.id = d.person_id
        WHERE d.id IN ({payers}) AND p.death_date IS NULL
          AND p.passbook_number <> '' AND p.passbook_bank = %s
    """


def _bank_payers(county: str, year: int):
    """(SQL, params) of the ids of the dues a batch may take, as the schemes decide."""
    open_dues = Due.objects.collected_in_year(year).filter(
        kind=DueKind.PERSONAL,
        status=DueStatus.OPEN,
        village__pk__startswith=county[:6],
    )
    return schemes.bank_payers(open_dues).values("pk").query.sql_with_params()


def batch_create(*, acting_user, region_code: str, bank: str, year: int) -> WithholdingBatch:
    """The next round for ``bank`` in the county: every open personal due of a paying enrollee
    whose passbook is with ``bank``, numbered by village. Refused when there is none."""
    require_or_system(acting_user, "withholding.manage")
    county = county_code_of(region_code)
    _check_scope(acting_user, county)
    bank = (bank or "").strip()
    if not bank:
        raise ValidationError({"bank": "请填写银行（与参保人存折开户行一致）"})
    if len(bank) > 20:
        raise ValidationError({"bank": "银行名称最多20个字"})
    region = Region.objects.filter(code=county).first()
    if region is None:
        raise ValidationError({"county": f"没有区划代码{county[:6]}"})
    try:
        with transaction.atomic():
            latest = (
                WithholdingBatch.objects.filter(region=region, bank=bank, year=year)
                .order_by("-round")
                .values_list("round", flat=True)
                .first()
            )
            batch = WithholdingBatch.objects.create(
                region=region, bank=bank, year=year, round=(latest or 0) + 1, created_by=acting_user
            )
            payers, payer_params = _bank_payers(county, year)
            with connection.cursor() as cursor:
                cursor.execute(
                    _lines_sql(payers),
                    [batch.pk, LineResult.PENDING.value, *payer_params, bank],
                )
            totals = WithholdingLine.objects.filter(batch=batch).aggregate(
                count=Count("pk"), amount=Sum("amount")
            )
            if not totals["count"]:
                raise ValidationError(
                    {"bank": f"{year}年没有可由{bank}代扣的未缴个人缴费（需有存折账号和开户行）"}
                )
            moved = Due.objects.filter(
                pk__in=WithholdingLine.objects.filter(batch=batch).values("due_id")
            ).transition(DueStep.BATCH)
            if moved != totals["count"]:
                raise ValidationError({"bank": "有应缴记录同时被其他操作修改，请重试"})
            batch.line_count = totals["count"]
            batch.amount_sum = (totals["amount"] or ZERO).quantize(CENT)
            batch.save(update_fields=["line_count", "amount_sum"])
            audit.record(
                actor=acting_user,
                action=CollectionAction.BATCH_CREATE,
                obj=batch,
                object_label=batch_key(batch),
                after={
                    "key": batch_key(batch),
                    "line_count": batch.line_count,
                    "amount_sum": batch.amount_sum,
                },
            )
    except IntegrityError:
        raise ValidationError({"bank": "同一银行的另一个批次正在生成，请稍后重试"}) from None
    return batch


# --------------------------------------------------------------------------- export


def export_lines(batch: WithholdingBatch):
    rows = (
        WithholdingLine.objects.filter(batch=batch)
        .order_by("line_number")
        .values_list("line_number", "person__id_number", "person__name", "account_number", "amount")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield ExportLine(*row)


def batch_export(*, acting_user, batch: WithholdingBatch) -> tuple[bytes, str]:
    """The bank's export file for ``batch`` (bytes, file name) in the bank's format."""
    require_or_system(acting_user, "withholding.manage")
    _check_scope(acting_user, batch.region_id)
    adapter = adapter_for(batch.bank)
    data = adapter.export(batch_header(batch), export_lines(batch))
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        changes = {"export_sha256": digest}
        if batch.status == BatchStatus.CREATED:
            changes["status"] = BatchStatus.EXPORTED
        WithholdingBatch.objects.filter(pk=batch.pk).update(**changes)
        for name, value in changes.items():
            setattr(batch, name, value)
        audit.record(
            actor=acting_user,
            action=CollectionAction.BATCH_EXPORT,
            obj=batch,
            object_label=batch_key(batch),
            after={"format": adapter.name, "sha256": digest, "line_count": batch.line_count},
        )
    return data, f"代扣-{batch_key(batch)}{adapter.suffix}"


# --------------------------------------------------------------------------- result import

RESULT_LABEL = {LineResult.PAID: "扣款成功", LineResult.FAILED: "扣款失败"}


class _Checked:
    """What a result file would change, gathered while it is checked."""

    def __init__(self, size: int):
        self.seen = bytearray(size + 1)
        self.paid = array("L")
        self.failed: dict[str, list[int]] = {}
        self.unchanged = 0
        self.count = 0
        self.amount = ZERO
        self.problems: list[Problem] = []


def _check_chunk(batch, chunk, checked: _Checked) -> None:
    numbers = [line.line_number for line in chunk if 0 < line.line_number <= batch.line_count]
    sent = {
        row[0]: row
        for row in WithholdingLine.objects.filter(batch=batch, line_number__in=numbers).values_list(
            "line_number", "account_number", "amount", "result", "person__id_number"
        )
    }
    for line in chunk:
        problems = checked.problems
        row = sent.get(line.line_number)
        if row is None:
            problems.append(Problem(line.row, "line_number", f"行号{line.line_number}不在本批次中"))
            continue
        if checked.seen[line.line_number]:
            problems.append(Problem(line.row, "line_number", f"行号{line.line_number}重复出现"))
            continue
        checked.seen[line.line_number] = 1
        _, account, amount, result, id_number = row
        bad = False
        if line.account_number != account:
            problems.append(
                Problem(
                    line.row,
                    "account",
                    f"账号{line.account_number}不是本批次第{line.line_number}行的扣款账号（未知账号）",
                )
            )
            bad = True
        if line.id_number and line.id_number != id_number:
            problems.append(
                Problem(line.row, "id_number", f"身份证号{line.id_number}与代扣时不一致")
            )
            bad = True
        if line.amount != amount:
            problems.append(
                Problem(line.row, "amount", f"金额{line.amount}元与代扣金额{amount}元不一致")
            )
            bad = True
        if not line.code:
            problems.append(Problem(line.row, "code", "缺少扣款结果代码"))
            bad = True
        if bad:
            continue
        outcome = LineResult.PAID if line.paid else LineResult.FAILED
        if result != LineResult.PENDING:
            if result == outcome:
                checked.unchanged += 1
            else:
                problems.append(
                    Problem(
                        line.row,
                        "code",
                        f"第{line.line_number}笔已回盘为{RESULT_LABEL[result]}，"
                        f"本文件为{RESULT_LABEL[outcome]}，不一致",
                    )
                )
            continue
        if outcome == LineResult.PAID:
            checked.paid.append(line.line_number)
        else:
            reason = f"{line.code} {line.reason}".strip()[:200]
            checked.failed.setdefault(reason, []).append(line.line_number)


def check_file_size(data: bytes) -> None:
    """Refuse a bank, statement or tax file too big to be worth reading (settings)."""
    check_size(len(data), limit=settings.JUMIN_BANK_FILE_MAX_BYTES)
    check_lines(data, limit=settings.JUMIN_BANK_FILE_MAX_LINES)


def result_check(batch: WithholdingBatch, data: bytes, *, on: datetime.date) -> tuple:
    """(parsed header, checked) for ``data``; refuses the whole file on any problem.
    ``on`` is the import day: the deduction date cannot be after it."""
    parsed = adapter_for(batch.bank).parse_result(data, on=on)
    if parsed.problems:
        refuse(parsed.problems, "回盘文件无法读取，未导入：")
    checked = _Checked(batch.line_count)
    if parsed.key != batch_key(batch):
        checked.problems.append(
            Problem(1, "header", f"批次号{parsed.key}与本批次{batch_key(batch)}不符")
        )
    chunk = []
    for line in parsed.lines:
        checked.count += 1
        checked.amount += line.amount
        chunk.append(line)
        if len(chunk) == CHUNK:
            _check_chunk(batch, chunk, checked)
            chunk = []
    if chunk:
        _check_chunk(batch, chunk, checked)
    if not checked.count and not parsed.problems:
        checked.problems.append(
            Problem(None, "lines", "回盘文件没有任何明细行（可能是空文件或被截断）")
        )
    # form problems found while reading the lines (truncated lines, bad numbers)
    checked.problems = sorted(
        [*parsed.problems, *checked.problems], key=lambda problem: problem.row or 0
    )
    if checked.count != parsed.line_count:
        checked.problems.insert(
            0,
            Problem(
                1, "line_count", f"笔数不符：控制行为{parsed.line_count}笔，明细为{checked.count}笔"
            ),
        )
    if checked.amount != parsed.amount_sum:
        checked.problems.insert(
            0,
            Problem(
                1,
                "amount_sum",
                f"金额合计不符：控制行为{parsed.amount_sum}元，明细合计{checked.amount}元",
            ),
        )
    if checked.problems:
        refuse(checked.problems, "回盘文件有以下问题，整个文件未导入（没有任何一笔入账）：")
    return parsed, checked


RESULTS_TABLE = "collection_result_import_line"


def _apply_results(batch, result_file, checked: _Checked, parsed) -> tuple[int, int, int]:
    """Write the checked results: (lines changed, dues paid, dues open again).

    The results go into a temporary table first (COPY on PostgreSQL, ``executemany``
    elsewhere), then one ``UPDATE`` per result kind joins through it — instead of one
    statement per few thousand line numbers. Runs inside the import's transaction, which also
    drops the table (or, on error, rolls its creation back)."""
    results = connection.ops.quote_name(RESULTS_TABLE)
    line = connection.ops.quote_name(WithholdingLine._meta.db_table)
    paid, failed = LineResult.PAID.value, LineResult.FAILED.value
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {results} (line_number integer PRIMARY KEY, "
            "result varchar(10) NOT NULL, bank_reason varchar(200) NOT NULL)"
        )
        insert_rows(
            RESULTS_TABLE,
            ("line_number", "result", "bank_reason"),
            chain(
                ((number, paid, "") for number in checked.paid),
                (
                    (number, failed, reason)
                    for reason, numbers in checked.failed.items()
                    for number in numbers
                ),
            ),
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {results}")
        pending = f"batch_id = %s AND result = '{LineResult.PENDING.value}'"
        cursor.execute(
            f"UPDATE {line} SET result = %s, result_file_id = %s WHERE {pending} "
            f"AND line_number IN (SELECT line_number FROM {results} WHERE result = %s)",
            [paid, result_file.pk, batch.pk, paid],
        )
        changed = cursor.rowcount
        cursor.execute(
            f"UPDATE {line} SET result = %s, result_file_id = %s, bank_reason = "
            f"(SELECT r.bank_reason FROM {results} r WHERE r.line_number = {line}.line_number) "
            f"WHERE {pending} "
            f"AND line_number IN (SELECT line_number FROM {results} WHERE result = %s)",
            [failed, result_file.pk, batch.pk, failed],
        )
        changed += cursor.rowcount
        cursor.execute(f"DROP TABLE {results}")
    # The lines now name this file; without fresh statistics PostgreSQL still believes no
    # line does and picks a nested-loop plan for the two dues updates below.
    refresh_statistics(WithholdingLine)
    mine = WithholdingLine.objects.filter(result_file=result_file)
    paid_dues = Due.objects.filter(
        pk__in=mine.filter(result=LineResult.PAID).values("due_id")
    ).transition(
        DueStep.BANK_PAID,
        channel=Channel.BANK,
        paid_amount=F("amount"),
        paid_on=parsed.deducted_on,
        payment_reference=f"代扣{batch_key(batch)}"[:60],
    )
    reopened = Due.objects.filter(
        pk__in=mine.filter(result=LineResult.FAILED).values("due_id")
    ).transition(DueStep.BANK_FAILED)
    return changed, paid_dues, reopened


def result_import(
    *,
    acting_user,
    batch: WithholdingBatch,
    file_name: str,
    data: bytes,
    on: datetime.date | None = None,
) -> tuple[BankResultFile, bool]:
    """Import the bank's result file for ``batch``: (the import, whether it was new).

    Paid lines make their dues ``paid`` (channel bank); failed lines make them ``open`` again
    with the bank's reason on the line. The same file again returns the first import.
    ``on`` is the import day (default today)."""
    require_or_system(acting_user, "withholding.manage")
    _check_scope(acting_user, batch.region_id)
    check_file_size(data)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = BankResultFile.objects.filter(sha256=sha256).first()
    if earlier is not None:
        if earlier.batch_id != batch.pk:
            raise ValidationError(
                {"file": f"这个文件已作为另一批次（编号{earlier.batch_id}）的回盘文件导入过"}
            )
        return earlier, False
    batch.refresh_from_db()
    if batch.confirmed_at is not None:
        raise ValidationError({"file": "本批次已由财务核对，不能再导入回盘文件"})
    parsed, checked = result_check(batch, data, on=on or timezone.localdate())
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = WithholdingBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.confirmed_at is not None:
                raise ValidationError({"file": "本批次已由财务核对，不能再导入回盘文件"})
            result_file = BankResultFile.objects.create(
                batch=batch,
                region_id=batch.region_id,
                file_name=export_text(file_name or "", multiline=False)[:255],
                sha256=sha256,
                line_count=parsed.line_count,
                amount_sum=parsed.amount_sum,
                paid_count=len(checked.paid),
                failed_count=sum(len(numbers) for numbers in checked.failed.values()),
                imported_by=acting_user,
                imported_at=now,
            )
            changed, paid, reopened = _apply_results(batch, result_file, checked, parsed)
            expected = result_file.paid_count + result_file.failed_count
            if changed != expected or paid + reopened != expected:
                raise ValidationError({"file": "本批次同时被其他操作修改，请重新导入"})
            _recount(batch)
            audit.record(
                actor=acting_user,
                action=CollectionAction.BATCH_RESULT_IMPORT,
                obj=result_file,
                object_label=f"{batch_key(batch)} 回盘 {result_file.file_name}",
                after={
                    "batch": batch_key(batch),
                    "sha256": sha256,
                    "paid": result_file.paid_count,
                    "failed": result_file.failed_count,
                    "unchanged": checked.unchanged,
                },
            )
    except IntegrityError:  # the same file at the same moment: the other one won
        earlier = BankResultFile.objects.filter(sha256=sha256, batch=batch).first()
        if earlier is None:
            raise
        return earlier, False
    batch.refresh_from_db()
    return result_file, True


def _recount(batch: WithholdingBatch) -> None:
    totals = WithholdingLine.objects.filter(batch=batch).aggregate(
        paid_count=Count("pk", filter=Q(result=LineResult.PAID)),
        paid_sum=Sum("amount", filter=Q(result=LineResult.PAID)),
        failed_count=Count("pk", filter=Q(result=LineResult.FAILED)),
    )
    changes = {
        "paid_count": totals["paid_count"],
        "paid_sum": (totals["paid_sum"] or ZERO).quantize(CENT),
        "failed_count": totals["failed_count"],
    }
    if batch.status in (BatchStatus.CREATED, BatchStatus.EXPORTED):
        changes["status"] = BatchStatus.RESULT_IMPORTED
    WithholdingBatch.objects.filter(pk=batch.pk).update(**changes)
    for name, value in changes.items():
        setattr(batch, name, value)


# --------------------------------------------------------------------------- confirm


def batch_confirm(*, acting_user, batch: WithholdingBatch) -> WithholdingBatch:
    """Finance confirms the money of a batch: its paid dues become ``confirmed``.
    Refused while a line has no result; confirming again changes nothing."""
    require_or_system(acting_user, "withholding.confirm")
    _check_scope(acting_user, batch.region_id)
    with transaction.atomic():
        batch = WithholdingBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.confirmed_at is not None:
            return batch
        pending = WithholdingLine.objects.filter(batch=batch, result=LineResult.PENDING).count()
        if pending:
            raise ValidationError(
                {"batch": f"还有{pending}笔没有回盘结果，请先导入银行回盘文件再核对"}
            )
        now = timezone.now()
        confirmed = Due.objects.filter(
            pk__in=WithholdingLine.objects.filter(batch=batch, result=LineResult.PAID).values(
                "due_id"
            )
        ).transition(DueStep.CONFIRM, at=now)
        batch.status = BatchStatus.CONFIRMED
        batch.confirmed_at = now
        batch.confirmed_by = acting_user
        batch.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit.record(
            actor=acting_user,
            action=CollectionAction.BATCH_CONFIRM,
            obj=batch,
            object_label=batch_key(batch),
            after={"confirmed_dues": confirmed, "paid_sum": batch.paid_sum},
        )
    return batch

"""The agency income account's bank statement (银行对账单): import and matching to deposit slips.

Format: ``docs/formats/bank-statement.md``. One control record (a header line tagged
``JUMIN-STATEMENT`` or a trailer line starting with ``合计``) carries the line count and the
amount sum; a file whose totals disagree, or with any bad line, is refused whole with every
problem named (line number, field, reason). Nothing is half-written.

Every field is read with the file helpers of ``withholding.formats`` (amounts through
``core.money.parse``; text without control characters and within its column; a booking date
from 1900 to the import day); a file over ``JUMIN_BANK_FILE_MAX_BYTES``/``_MAX_LINES`` is
refused before it is read, an ``.xlsx`` that would unpack too big before a row is parsed.

Idempotent: the same file (sha256) imported again changes nothing; a line already imported
from another file (same county, date, reference and amount: the natural key) is skipped and
counted as ``already_imported``.

Matching: a statement line is linked to the deposit slip (缴款单) whose slip number equals the
line's reference (凭证号/缴款单号), among the county's deposits that were not returned; when
several slips share the number (different banks) the one of the same bank and amount wins.
Whether the amounts agree is the reconciliation's check (``statement_amount_differs``), so a
slip whose bank line differs by a few yuan is shown as such, not as two unrelated problems.
Lines that arrive before their slip is recorded are linked later by ``statement_match``, which
the reconciliation calls before it counts.
"""

import datetime
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, Value, When
from django.utils import timezone

from jumin.collection.formats.withholding import (
    FieldError,
    amount_field,
    check_day,
    text_field,
    whole_number,
)
from jumin.collection.models import (
    BankStatementFile,
    BankStatementLine,
    Deposit,
    DepositStatus,
)
from jumin.collection.registry import CollectionAction
from jumin.core import audit
from jumin.core.access import get_scoped_or_404, in_scope, require, scope
from jumin.core.models import Region, RegionLevel
from jumin.core.tabular import XLSX_MAGIC, Formula, TabularError, cell_text, read_rows
from jumin.core.text import export_text, is_ascii_digits
from jumin.core.uploads import check_lines, check_size

FORMAT_TAG = "JUMIN-STATEMENT"
TRAILER_TAG = "合计"
TITLE_CELL = "入账日期"
CHUNK = 2000
MAX_PROBLEMS = 200


def county_of(region_code) -> Region:
    """``341125`` / ``341125000000`` / a Region → the county Region; ValidationError otherwise."""
    code = region_code.code if isinstance(region_code, Region) else str(region_code or "").strip()
    if len(code) == 6 and is_ascii_digits(code):
        code = code.ljust(12, "0")
    region = Region.objects.filter(code=code, level=RegionLevel.COUNTY).first()
    if region is None:
        raise ValidationError({"county": f"县级区划代码“{region_code}”不正确（应为6位县级代码）"})
    return region


def _require_or_system(acting_user, permission: str, region: Region) -> None:
    """Staff need the permission and the region in scope; ``None`` is the system (CLI)."""
    if acting_user is None:
        return
    require(acting_user, permission)
    if not in_scope(acting_user, region.code):
        raise ValidationError({"county": "只能处理本人管辖的县"})


@dataclass
class ParsedLine:
    line_number: int
    booked_on: datetime.date
    amount: Decimal
    reference: str
    counterparty: str


@dataclass
class Parsed:
    lines: list[ParsedLine] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    control_count: int | None = None
    control_sum: Decimal | None = None

    def problem(self, line: int, field_name: str, message: str) -> None:
        self.problems.append({"line": line, "field": field_name, "message": message})


def _column(name: str) -> int:
    return BankStatementLine._meta.get_field(name).max_length


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if len(text) > 10:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _field(parsed: Parsed, number: int, column: str, parse, value, **options):
    """``parse(value, **options)``, or None after recording its problem under ``column``."""
    try:
        return parse(value, **options)
    except FieldError as error:
        parsed.problem(number, column, error.message)
        return None


def _control(parsed: Parsed, number: int, cells: list, where: str) -> None:
    texts = [cell_text(cell) for cell in cells]
    # header: JUMIN-STATEMENT,1,count,sum ; trailer: 合计,count,sum
    values = texts[2:4] if where == "header" else texts[1:3]
    count_text, sum_text = (values + ["", ""])[:2]
    parsed.control_count = _field(parsed, number, "笔数", whole_number, count_text, label="笔数")
    parsed.control_sum = _field(
        parsed, number, "金额合计", amount_field, sum_text, label="金额合计"
    )


def parse_statement(content: bytes, *, on: datetime.date | None = None) -> Parsed:
    """Read a statement file into lines and problems (pure apart from reading the bytes).
    ``on`` is the import day: a line cannot be booked after it."""
    parsed = Parsed()
    try:
        rows = list(read_rows(io.BytesIO(content), max_rows=settings.JUMIN_BANK_FILE_MAX_LINES))
    except TabularError as error:
        raise ValidationError({"file": error.message}) from None
    if not rows:
        raise ValidationError({"file": "文件是空的"})
    first_number, first_cells = rows[0]
    if cell_text(first_cells[0] if first_cells else "") == FORMAT_TAG:
        _control(parsed, first_number, first_cells, "header")
        rows = rows[1:]
    elif rows and cell_text(rows[-1][1][0] if rows[-1][1] else "") == TRAILER_TAG:
        _control(parsed, rows[-1][0], rows[-1][1], "trailer")
        rows = rows[:-1]
    else:
        raise ValidationError(
            {
                "file": (
                    f"文件缺少控制记录：第一行应为“{FORMAT_TAG},1,笔数,金额合计”，"
                    f"或最后一行为“{TRAILER_TAG},笔数,金额合计”"
                )
            }
        )
    seen: dict[tuple, int] = {}
    data_count = 0
    for number, cells in rows:
        if cell_text(cells[0] if cells else "") == TITLE_CELL:
            continue  # the column titles
        data_count += 1
        if any(isinstance(cell, Formula) for cell in cells):
            parsed.problem(number, "", "不能含有公式，请粘贴为数值后再导入")
            continue
        cells = list(cells) + [""] * (4 - len(cells))
        if len(cells) > 4 and any(cell_text(cell) for cell in cells[4:]):
            parsed.problem(number, "", "多出的列：每行只应有 入账日期、金额、凭证号、对方户名 四列")
            continue
        problems_before = len(parsed.problems)
        booked_on = _date(cells[0])
        if booked_on is None:
            shown = export_text(cell_text(cells[0])[:20], multiline=False)
            parsed.problem(number, "入账日期", f"“{shown}”不是日期（如 2026-03-20）")
        else:
            booked_on = _field(
                parsed, number, "入账日期", check_day, booked_on, label="入账日期", on=on
            )
        amount = _field(parsed, number, "金额", amount_field, cell_text(cells[1]))
        if amount is not None and amount <= 0:
            parsed.problem(number, "金额", "金额应大于 0（本文件只列收入户的进账）")
        reference = _field(
            parsed,
            number,
            "凭证号",
            text_field,
            cell_text(cells[2]),
            label="凭证号",
            max_length=_column("reference"),
        )
        if reference == "":
            parsed.problem(number, "凭证号", "缺少凭证号/缴款单号，可能是截断的行")
        counterparty = _field(
            parsed,
            number,
            "对方户名",
            text_field,
            cell_text(cells[3]),
            label="对方户名",
            max_length=_column("counterparty"),
        )
        if len(parsed.problems) > problems_before:
            continue
        key = (booked_on, reference, amount)
        if key in seen:
            parsed.problem(
                number,
                "凭证号",
                f"与第 {seen[key]} 行重复（同一日期、凭证号“{reference}”和金额）",
            )
            continue
        seen[key] = number
        parsed.lines.append(ParsedLine(number, booked_on, amount, reference, counterparty))
    if not data_count:
        parsed.problem(0, "", "文件没有任何明细行")
    if parsed.control_count is not None and parsed.control_sum is not None:
        total = sum((line.amount for line in parsed.lines), Decimal("0.00"))
        line_problems = bool(parsed.problems)
        if parsed.control_count != data_count or (
            not line_problems and parsed.control_sum != total
        ):
            parsed.problem(
                0,
                "控制记录",
                f"控制记录为 {parsed.control_count} 笔、合计 {parsed.control_sum} 元，"
                f"文件实有 {data_count} 笔、合计 {total} 元，两者不符，文件可能不完整",
            )
    return parsed


def _refusal(parsed: Parsed) -> ValidationError:
    shown = parsed.problems[:MAX_PROBLEMS]
    messages = [
        (f"第 {p['line']} 行" if p["line"] else "")
        + (f"“{p['field']}”" if p["field"] else "")
        + ("：" if p["line"] or p["field"] else "")
        + p["message"]
        for p in shown
    ]
    if len(parsed.problems) > len(shown):
        messages.append(f"……另有 {len(parsed.problems) - len(shown)} 处问题未列出")
    return ValidationError(
        {"file": [f"文件未导入（共 {len(parsed.problems)} 处问题，请改正后重新导入）"] + messages}
    )


@dataclass
class ImportResult:
    file: BankStatementFile
    created: bool
    new_lines: int = 0
    already_imported: int = 0
    matched: int = 0


def statement_import(
    *,
    acting_user,
    region_code,
    bank: str,
    file_name: str,
    content: bytes,
    on: datetime.date | None = None,
) -> ImportResult:
    """Import one statement file for a county; the same file twice changes nothing.
    ``on`` is the import day (default today): no line may be booked after it."""
    county = county_of(region_code)
    _require_or_system(acting_user, "statement.import", county)
    bank = (bank or "").strip()
    if not bank:
        raise ValidationError({"bank": "请填写银行"})
    if len(bank) > 40:
        raise ValidationError({"bank": "银行名称过长（最多40个字）"})
    check_size(len(content), limit=settings.JUMIN_BANK_FILE_MAX_BYTES)
    if not content.startswith(XLSX_MAGIC):  # an .xlsx's rows are counted as it is read
        check_lines(content, limit=settings.JUMIN_BANK_FILE_MAX_LINES)
    digest = hashlib.sha256(content).hexdigest()
    existing = BankStatementFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return ImportResult(file=existing, created=False)
    parsed = parse_statement(content, on=on or timezone.localdate())
    if parsed.problems:
        raise _refusal(parsed)
    total = sum((line.amount for line in parsed.lines), Decimal("0.00"))
    with transaction.atomic():
        statement = BankStatementFile.objects.create(
            region=county,
            bank=bank,
            file_name=export_text(file_name or "", multiline=False)[:255],
            sha256=digest,
            line_count=len(parsed.lines),
            amount_sum=total,
            imported_by=acting_user,
        )
        known = _known_keys(county, parsed.lines)
        rows = [
            BankStatementLine(
                file=statement,
                region=county,
                line_number=line.line_number,
                booked_on=line.booked_on,
                amount=line.amount,
                reference=line.reference,
                counterparty=line.counterparty,
            )
            for line in parsed.lines
            if (line.booked_on, line.reference, line.amount) not in known
        ]
        BankStatementLine.objects.bulk_create(rows, batch_size=CHUNK)
        matched = statement_match(county, bank=bank, file=statement)
        result = ImportResult(
            file=statement,
            created=True,
            new_lines=len(rows),
            already_imported=len(parsed.lines) - len(rows),
            matched=matched,
        )
        audit.record(
            actor=acting_user,
            action=CollectionAction.STATEMENT_IMPORT,
            obj=statement,
            after={
                "bank": bank,
                "file_name": statement.file_name,
                "sha256": digest,
                "line_count": statement.line_count,
                "amount_sum": total,
                "new_lines": result.new_lines,
                "already_imported": result.already_imported,
                "matched": matched,
            },
        )
    return result


def _known_keys(county: Region, lines: list[ParsedLine]) -> set[tuple]:
    if not lines:
        return set()
    dates = {line.booked_on for line in lines}
    known = set()
    existing = BankStatementLine.objects.filter(
        region=county, booked_on__gte=min(dates), booked_on__lte=max(dates)
    ).values_list("booked_on", "reference", "amount")
    for booked_on, reference, amount in existing.iterator(chunk_size=CHUNK):
        known.add((booked_on, reference, amount))
    return known


def statement_match(
    county: Region, *, bank: str = "", file: BankStatementFile | None = None
) -> int:
    """Link unmatched statement lines of the county to deposit slips by slip number.

    Set-based: one read of the unmatched lines, one of the slips already linked, one of the
    candidate slips, and one UPDATE that links every matched line (a CASE over the line ids; a
    slip carries one line; one per 2 000 lines of a huge file). Returns how many lines were linked."""
    lines = BankStatementLine.objects.filter(region=county, deposit__isnull=True)
    if file is not None:
        lines = lines.filter(file=file)
    unmatched = list(lines.values_list("pk", "reference", "amount", "file__bank"))
    if not unmatched:
        return 0
    references = {reference for _, reference, _, _ in unmatched}
    taken = set(
        BankStatementLine.objects.filter(region=county, deposit__isnull=False).values_list(
            "deposit_id", flat=True
        )
    )
    candidates: dict[str, list] = {}
    deposits = (
        Deposit.objects.filter(village__pk__startswith=county.code[:6], slip_number__in=references)
        .exclude(status=DepositStatus.RETURNED)
        .values_list("pk", "slip_number", "amount", "bank")
    )
    for pk, slip, amount, deposit_bank in deposits:
        if pk not in taken:
            candidates.setdefault(slip, []).append((pk, amount, deposit_bank))
    matches: dict[int, int] = {}
    for pk, reference, amount, line_bank in unmatched:
        options = candidates.get(reference)
        if not options:
            continue
        options.sort(key=lambda o: (o[2] != (line_bank or bank), o[1] != amount))
        matches[pk] = options.pop(0)[0]
    linked = 0
    pairs = list(matches.items())
    for start in range(0, len(pairs), CHUNK):  # one UPDATE; a huge file: one per CHUNK lines
        chunk = dict(pairs[start : start + CHUNK])
        linked += BankStatementLine.objects.filter(pk__in=chunk, deposit__isnull=True).update(
            deposit_id=Case(
                *(When(pk=pk, then=Value(deposit_pk)) for pk, deposit_pk in chunk.items()),
                output_field=BigIntegerField(),
            )
        )
    return linked


def statement_files(user):
    """Statement files in the user's scope: the county's staff see them, townships do not."""
    require(user, "reconciliation.view")
    return scope(BankStatementFile.objects.select_related("imported_by"), user)


def statement_get(user, pk) -> BankStatementFile:
    require(user, "reconciliation.view")
    return get_scoped_or_404(BankStatementFile.objects.all(), user, pk=pk)

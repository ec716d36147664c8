"""The agency income account's bank statement file (银行对账单): reading it, every line checked.

Format: ``docs/formats/bank-statement.md``. One control record (a header line tagged
``JUMIN-STATEMENT`` or a trailer line starting with ``合计``) carries the line count and the
amount sum; a file whose totals disagree, or with any bad line, is refused whole with every
problem named (line number, field, reason).

Every field is read with the file helpers of ``formats.withholding`` (amounts through
``core.money.parse``; text without control characters and within its column; a booking date
from 1900 to the import day). Importing and matching: ``services/statements.py``.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from jumin.collection.formats.withholding import (
    FieldError,
    amount_field,
    check_day,
    text_field,
    whole_number,
)
from jumin.collection.models import (
    BankStatementLine,
)
from jumin.core.tabular import Formula, TabularError, cell_text, read_rows
from jumin.core.text import export_text

FORMAT_TAG = "JUMIN-STATEMENT"
TRAILER_TAG = "合计"
TITLE_CELL = "入账日期"
MAX_PROBLEMS = 200


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


def refusal(parsed: Parsed) -> ValidationError:
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

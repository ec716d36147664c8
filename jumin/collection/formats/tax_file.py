"""The tax bureau's payment-detail file (税务缴费明细): writing one (tests, the benchmark) and
reading one, every line checked; format in ``docs/formats/tax.md``.

Every field is read with the file helpers of ``formats.withholding``: a voucher number longer
than its column (40), a name or ID longer than theirs, an amount wider than the money column,
a year outside 1900–2100 (``core.parsing``), a payment date after the import day or before
1900, a control character in any text — each is a problem of its line and field. Matching the
lines to dues and importing them: ``services/tax.py``.
"""

import csv
import datetime
import io
from decimal import Decimal

from jumin.collection.formats.withholding import (
    FieldError,
    LineFields,
    Problem,
    amount_field,
    date_field,
    decode,
    money_text,
    physical_lines,
    text_field,
    whole_number,
)
from jumin.collection.models import (
    TaxPaymentLine,
)
from jumin.collection.schemes import schemes
from jumin.core.parsing import InputError, parse_year

TAG = "JUMIN-TAX"
VERSION = "2"
COLUMNS = ["税票号码", "身份证号", "姓名", "缴费年度", "金额", "缴费日期"]
SCHEME_COLUMN = "险种"
# version 1: the six columns; version 2 adds the scheme (险种) of each payment
WIDTH = {"1": len(COLUMNS), "2": len(COLUMNS) + 1}


def tax_file_bytes(lines, *, encoding: str = "utf-8") -> bytes:
    """A file in the generic format from (voucher, id, name, year, amount, date) tuples —
    version 1 — or (…, scheme) tuples — version 2 (tests, the demo, the benchmark)."""
    lines = list(lines)
    version = "2" if any(len(line) > len(COLUMNS) for line in lines) else "1"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    total = sum((Decimal(line[4]) for line in lines), Decimal("0.00"))
    writer.writerow([TAG, version, len(lines), money_text(total)])
    writer.writerow(COLUMNS + ([SCHEME_COLUMN] if version == "2" else []))
    for voucher, id_number, name, year, amount, paid_on, *scheme in lines:
        writer.writerow(
            [voucher, id_number, name, year, money_text(Decimal(amount)), f"{paid_on:%Y-%m-%d}"]
            + (scheme if version == "2" else [])
        )
    return out.getvalue().encode(encoding)


def scheme_field(text: str) -> str:
    """A scheme's code (``pension``, ``medical``) or its name (城乡居保, 居民医保) → its code."""
    text = str(text).strip()
    for code, scheme in schemes().items():
        if text in (code, str(scheme.label)):
            return code
    known = "、".join(f"{scheme.label}（{code}）" for code, scheme in schemes().items())
    raise FieldError(f"险种“{text[:20]}”不正确，应为{known}")


class TaxLine:
    __slots__ = (
        "row",
        "voucher",
        "id_number",
        "name",
        "year",
        "amount",
        "paid_on",
        "scheme",
        "due_id",
        "village_id",
    )

    def __init__(self, row, voucher, id_number, name, year, amount, paid_on, scheme=""):
        self.row, self.voucher, self.id_number, self.name = row, voucher, id_number, name
        self.year, self.amount, self.paid_on = year, amount, paid_on
        self.scheme = scheme  # "" in a version-1 file: matched by person, year and amount
        self.due_id = self.village_id = None


def _column(name: str) -> int:
    return TaxPaymentLine._meta.get_field(name).max_length


def year_field(text: str, *, label: str = "缴费年度") -> int:
    """A year from 1900 to 2100 (``core.parsing.parse_year``, the rule for every year)."""
    try:
        return parse_year(text, label=label)
    except InputError as error:
        raise FieldError(error.message) from None


def parse(data: bytes, problems: list[Problem], *, on: datetime.date | None = None) -> tuple:
    """(header count, header sum, lines, detail rows read) of the generic format; problems
    appended, each naming its line and field. ``on`` is the import day: a payment cannot be
    dated after it."""
    try:
        text, _ = decode(data)
    except FieldError as error:
        problems.append(Problem(None, "file", error.message))
        return None, None, [], 0
    try:
        rows = list(csv.reader(physical_lines(text)))
    except csv.Error:
        problems.append(Problem(None, "file", "无法按 CSV 读取（字段过长或引号不配对）"))
        return None, None, [], 0
    if not rows or len(rows[0]) < 4 or rows[0][0].strip() != TAG:
        problems.append(Problem(1, "header", f"首行应为控制行“{TAG},{VERSION},笔数,金额合计”"))
        return None, None, [], 0
    version = rows[0][1].strip()
    if version not in WIDTH:
        problems.append(
            Problem(1, "header", f"格式版本“{version[:10]}”不正确，应为{'或'.join(WIDTH)}")
        )
        return None, None, [], 0
    width = WIDTH[version]
    header = LineFields(1, problems)
    count = header.read(whole_number, rows[0][2], field="line_count", label="控制行笔数")
    total = header.read(amount_field, rows[0][3], field="amount_sum", label="控制行金额合计")
    if not header.ok:
        return None, None, [], 0
    lines = []
    read = 0
    for row, cells in enumerate(rows[1:], start=2):
        if not cells or not any(cell.strip() for cell in cells):
            continue
        if cells[0].strip() == COLUMNS[0]:
            continue  # the column titles
        read += 1
        if len(cells) < width:
            problems.append(
                Problem(row, "line", f"字段不全（应有{width}项，只有{len(cells)}项），行可能被截断")
            )
            continue
        fields = LineFields(row, problems)
        voucher = fields.read(
            text_field,
            cells[0],
            field="voucher",
            label="税票号码",
            max_length=_column("voucher_number"),
        )
        if voucher == "":
            fields.refuse("voucher", "税票号码为空")
        line = TaxLine(
            row,
            voucher,
            fields.read(
                text_field,
                cells[1].upper(),
                field="id_number",
                label="身份证号",
                max_length=_column("id_number"),
            ),
            fields.read(
                text_field, cells[2], field="name", label="姓名", max_length=_column("name")
            ),
            fields.read(year_field, cells[3], field="year"),
            fields.read(amount_field, cells[4], field="amount"),
            fields.read(date_field, cells[5], field="paid_on", label="缴费日期", on=on),
            fields.read(scheme_field, cells[6], field="scheme") if width > 6 else "",
        )
        if fields.ok:
            lines.append(line)
    return count, total, lines, read

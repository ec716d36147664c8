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
from jumin.core.parsing import InputError, parse_year

TAG = "JUMIN-TAX"
VERSION = "1"
COLUMNS = ["税票号码", "身份证号", "姓名", "缴费年度", "金额", "缴费日期"]


def tax_file_bytes(lines, *, encoding: str = "utf-8") -> bytes:
    """A file in the generic format from (voucher, id, name, year, amount, date) tuples
    (tests, the demo, the benchmark)."""
    lines = list(lines)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    total = sum((Decimal(line[4]) for line in lines), Decimal("0.00"))
    writer.writerow([TAG, VERSION, len(lines), money_text(total)])
    writer.writerow(COLUMNS)
    for voucher, id_number, name, year, amount, paid_on in lines:
        writer.writerow(
            [voucher, id_number, name, year, money_text(Decimal(amount)), f"{paid_on:%Y-%m-%d}"]
        )
    return out.getvalue().encode(encoding)


class TaxLine:
    __slots__ = (
        "row",
        "voucher",
        "id_number",
        "name",
        "year",
        "amount",
        "paid_on",
        "due_id",
        "village_id",
    )

    def __init__(self, row, voucher, id_number, name, year, amount, paid_on):
        self.row, self.voucher, self.id_number, self.name = row, voucher, id_number, name
        self.year, self.amount, self.paid_on = year, amount, paid_on
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
        problems.append(Problem(1, "header", f"首行应为控制行“{TAG},1,笔数,金额合计”"))
        return None, None, [], 0
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
        if len(cells) < len(COLUMNS):
            problems.append(
                Problem(row, "line", f"字段不全（应有6项，只有{len(cells)}项），行可能被截断")
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
        )
        if fields.ok:
            lines.append(line)
    return count, total, lines, read

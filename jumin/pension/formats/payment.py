"""The bank payment file of a payroll (养老金发放文件) and the bank's result file (发放回盘).

The same adapter shape as withholding (``jumin.collection.formats.withholding``, see
docs/formats/payment.md): the adapter never touches the database; it writes a header with the
control totals (line count, amount sum) and the lines, and reads a result file back into plain
values, lazily, with every problem named by row and field. ``write`` yields the file in
pieces, so a million-line file is streamed to disk and never held whole.

Export (UTF-8, ``\\n``)::

    JUMIN-PAY,1,341125-202603,2,486.00
    101,341125196601011234,王伟,62280000000001,202603,243.00
    102,...

Result: the control row with the tag ``JUMIN-PAY-RESULT`` and a sixth field, the payment
date; each line as exported plus the result code (``00`` paid) and the reason.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from jumin.collection.formats.withholding import (
    ACCOUNT_LENGTH,
    BATCH_KEY_LENGTH,
    CODE_LENGTH,
    ID_NUMBER_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    SUCCESS,
    FieldError,
    LineFields,
    Problem,
    amount_field,
    date_field,
    decode,
    money_text,
    text_field,
    whole_number,
)


class PaymentHeader(NamedTuple):
    key: str  # 341125-202603
    line_count: int
    amount_sum: Decimal


class PaymentLine(NamedTuple):
    line_id: int
    id_number: str
    name: str
    account_number: str
    month_for: datetime.date
    amount: Decimal


class PaymentResultLine(NamedTuple):
    row: int
    line_id: int
    amount: Decimal
    code: str
    reason: str

    @property
    def paid(self) -> bool:
        return self.code == SUCCESS


@dataclass
class ParsedPayment:
    key: str = ""
    line_count: int | None = None
    amount_sum: Decimal | None = None
    paid_on: datetime.date | None = None
    lines: Iterable[PaymentResultLine] = ()
    problems: list[Problem] = field(default_factory=list)


class PaymentCsvAdapter:
    name = "通用CSV发放格式"
    suffix = ".csv"
    EXPORT_TAG = "JUMIN-PAY"
    RESULT_TAG = "JUMIN-PAY-RESULT"
    VERSION = "1"
    BLOCK = 5000

    def write(self, header: PaymentHeader, lines: Iterable[PaymentLine]) -> Iterator[bytes]:
        """The export file in pieces of ``BLOCK`` lines."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [self.EXPORT_TAG, self.VERSION, header.key, header.line_count,
             money_text(header.amount_sum)]
        )  # fmt: skip
        count = 0
        for line in lines:
            writer.writerow(self._cells(line))
            count += 1
            if count % self.BLOCK == 0:
                yield out.getvalue().encode("utf-8")
                out.seek(0)
                out.truncate()
        yield out.getvalue().encode("utf-8")

    def export(self, header: PaymentHeader, lines: Iterable[PaymentLine]) -> bytes:
        return b"".join(self.write(header, lines))

    @staticmethod
    def _cells(line: PaymentLine) -> list:
        return [
            line.line_id,
            line.id_number,
            line.name,
            line.account_number,
            line.month_for.strftime("%Y%m"),
            money_text(line.amount),
        ]

    def result_file(
        self,
        header: PaymentHeader,
        lines: Iterable[tuple[PaymentLine, str, str]],
        *,
        paid_on: datetime.date,
    ) -> bytes:
        """A result file as the bank would send it (tests, the demo, the benchmark)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [self.RESULT_TAG, self.VERSION, header.key, header.line_count,
             money_text(header.amount_sum), paid_on.strftime("%Y%m%d")]
        )  # fmt: skip
        for line, code, reason in lines:
            writer.writerow([*self._cells(line), code, reason])
        return out.getvalue().encode("utf-8")

    def parse_export(self, data: bytes) -> tuple[PaymentHeader, list[PaymentLine]]:
        """Read an export file back (the bank's side; tests and the demo)."""
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        head = rows[0]
        header = PaymentHeader(head[2], int(head[3]), Decimal(head[4]))
        lines = [
            PaymentLine(
                int(r[0]),
                r[1],
                r[2],
                r[3],
                datetime.datetime.strptime(r[4], "%Y%m").date(),
                Decimal(r[5]),
            )  # fmt: skip
            for r in rows[1:]
            if r
        ]
        return header, lines

    def parse_result(self, data: bytes, *, on: datetime.date | None = None) -> ParsedPayment:
        parsed = ParsedPayment()
        try:
            text, _encoding = decode(data)
        except FieldError as error:
            parsed.problems.append(Problem(None, "file", error.message))
            return parsed
        rows = text.splitlines()
        if not text.strip():
            parsed.problems.append(Problem(None, "file", "文件是空的"))
            return parsed
        try:
            head = next(csv.reader([rows[0]]))
        except csv.Error:
            head = []
        if len(head) < 6 or head[0].strip().lstrip("\ufeff") != self.RESULT_TAG:
            parsed.problems.append(
                Problem(
                    1,
                    "header",
                    f"首行应为控制行“{self.RESULT_TAG},1,批次号,笔数,金额合计,发放日期”",
                )
            )
            return parsed
        fields = LineFields(1, parsed.problems)
        parsed.key = (
            fields.read(
                text_field, head[2], field="key", label="控制行批次号", max_length=BATCH_KEY_LENGTH
            )
            or ""
        )
        parsed.line_count = fields.read(
            whole_number, head[3], field="line_count", label="控制行笔数"
        )
        parsed.amount_sum = fields.read(
            amount_field, head[4], field="amount_sum", label="控制行金额合计"
        )
        parsed.paid_on = fields.read(
            date_field, head[5], field="paid_on", label="控制行发放日期", on=on
        )
        if not fields.ok:
            return parsed
        parsed.lines = self._lines(rows, parsed.problems)
        return parsed

    def _lines(self, rows: list[str], problems: list[Problem]) -> Iterator[PaymentResultLine]:
        reader = csv.reader(rows[1:])
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                problems.append(Problem(reader.line_num + 1, "line", "无法按 CSV 读取"))
                return
            row = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < 7:
                problems.append(
                    Problem(row, "line", f"字段不全（应有8项，只有{len(cells)}项），行可能被截断")
                )
                continue
            if len(cells) == 7:
                cells.append("")
            fields = LineFields(row, problems)
            line_id = fields.read(whole_number, cells[0], field="line_id", label="明细号")
            fields.read(
                text_field, cells[1], field="id_number", label="身份证号",
                max_length=ID_NUMBER_LENGTH,
            )  # fmt: skip
            fields.read(text_field, cells[2], field="name", label="姓名", max_length=NAME_LENGTH)
            fields.read(
                text_field, cells[3], field="account", label="账号", max_length=ACCOUNT_LENGTH
            )
            amount = fields.read(amount_field, cells[5], field="amount")
            code = fields.read(
                text_field, cells[6], field="code", label="结果代码", max_length=CODE_LENGTH
            )
            reason = fields.read(
                text_field, cells[7], field="reason", label="失败原因", max_length=REASON_LENGTH
            )
            if fields.ok:
                yield PaymentResultLine(row, line_id, amount, code.strip(), reason.strip())


PAYMENT = PaymentCsvAdapter()

"""Bank file formats for withholding (代扣): the adapter interface, the registry and two adapters.

An adapter turns a batch into the bytes of the bank's export file and reads the bank's
result file (回盘文件) back into plain values. It never touches the database: the services
give it the batch header values and an iterable of lines, and check what it parses.

* ``GenericCsvAdapter`` — the documented generic CSV format (docs/formats/withholding.md),
  used for every bank without an adapter of its own.
* ``FixedWidthAdapter`` — an example of a bank's own fixed-width layout (GB18030, byte
  columns, amounts in fen), registered for 邮储银行, to prove the interface.

Parsing is lazy (``ParsedResult.lines`` is a generator), so a million-line result file is
never held as a million objects; problems of form (a truncated line, an amount that is not a
number) are appended to ``ParsedResult.problems`` as the lines are read.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple, Protocol

CENT = Decimal("0.01")
SUCCESS = "00"
NEWLINE = b"\n"


class ExportLine(NamedTuple):
    line_number: int
    id_number: str
    name: str
    account_number: str
    amount: Decimal


class BatchHeader(NamedTuple):
    key: str  # 341125-2026-农商行-01
    line_count: int
    amount_sum: Decimal


class ResultLine(NamedTuple):
    row: int  # the line of the file (1-based, the header is row 1)
    line_number: int
    id_number: str
    name: str
    account_number: str
    amount: Decimal
    code: str  # "00" = paid
    reason: str

    @property
    def paid(self) -> bool:
        return self.code == SUCCESS


@dataclass
class Problem:
    row: int | None
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}：{self.message}"


@dataclass
class ParsedResult:
    key: str = ""
    line_count: int | None = None
    amount_sum: Decimal | None = None
    deducted_on: datetime.date | None = None
    encoding: str = ""
    lines: Iterable[ResultLine] = ()
    problems: list[Problem] = field(default_factory=list)


class WithholdingAdapter(Protocol):
    """What a bank format provides; register an instance in ``ADAPTERS`` by bank name."""

    name: str
    suffix: str

    def export(self, batch: BatchHeader, lines: Iterable[ExportLine]) -> bytes: ...

    def parse_result(self, data: bytes) -> ParsedResult: ...


# --------------------------------------------------------------------------- shared helpers


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else GB18030; ValueError otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise ValueError(
            "文件编码无法识别：含有空字节（可能是 UTF-16 等编码），应为 UTF-8 或 GB18030"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as error:
        row = data[: error.start].count(NEWLINE) + 1
        raise ValueError(
            f"文件编码无法识别：第{row}行有无法识别的字节，应为 UTF-8 或 GB18030"
        ) from None


def money_text(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def parse_money(text: str) -> Decimal:
    """'12.50' → Decimal('12.50'); ValueError for anything that is not 2-place yuan."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"金额“{text}”不是数字") from None
    if not value.is_finite() or value != value.quantize(CENT) or value < 0:
        raise ValueError(f"金额“{text}”不正确（应为元，最多两位小数）")
    return value.quantize(CENT)


def parse_date(text: str) -> datetime.date:
    text = text.strip()
    for pattern in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"日期“{text}”不正确（应为 20260315 或 2026-03-15）")


def parse_int(text: str, what: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise ValueError(f"{what}“{text}”不是整数")
    return int(text)


# --------------------------------------------------------------------------- generic CSV


class GenericCsvAdapter:
    """The generic CSV format: see docs/formats/withholding.md."""

    name = "通用CSV格式"
    suffix = ".csv"
    EXPORT_TAG = "JUMIN-WH"
    RESULT_TAG = "JUMIN-WH-RESULT"
    VERSION = "1"
    RESULT_FIELDS = 7

    def export(self, batch: BatchHeader, lines: Iterable[ExportLine]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                self.EXPORT_TAG,
                self.VERSION,
                batch.key,
                batch.line_count,
                money_text(batch.amount_sum),
            ]
        )
        for line in lines:
            writer.writerow(
                [
                    line.line_number,
                    line.id_number,
                    line.name,
                    line.account_number,
                    money_text(line.amount),
                ]
            )
        return out.getvalue().encode("utf-8")

    def result_file(
        self,
        batch: BatchHeader,
        lines: Iterable[tuple[ExportLine, str, str]],
        *,
        deducted_on: datetime.date,
        encoding: str = "utf-8",
    ) -> bytes:
        """A result file as a bank would send it (tests, the demo and the benchmark)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                self.RESULT_TAG,
                self.VERSION,
                batch.key,
                batch.line_count,
                money_text(batch.amount_sum),
                deducted_on.strftime("%Y%m%d"),
            ]
        )
        for line, code, reason in lines:
            writer.writerow(
                [
                    line.line_number,
                    line.id_number,
                    line.name,
                    line.account_number,
                    money_text(line.amount),
                    code,
                    reason,
                ]
            )
        return out.getvalue().encode(encoding)

    def parse_result(self, data: bytes) -> ParsedResult:
        parsed = ParsedResult()
        try:
            text, parsed.encoding = decode(data)
        except ValueError as error:
            parsed.problems.append(Problem(None, "file", str(error)))
            return parsed
        rows = text.splitlines()
        if not rows:
            parsed.problems.append(Problem(None, "file", "文件是空的"))
            return parsed
        header = next(csv.reader([rows[0]]))
        if len(header) < 6 or header[0].strip().lstrip("\ufeff") != self.RESULT_TAG:
            parsed.problems.append(
                Problem(
                    1,
                    "header",
                    f"首行应为控制行“{self.RESULT_TAG},1,批次号,笔数,金额合计,扣款日期”",
                )
            )
            return parsed
        parsed.key = header[2].strip()
        try:
            parsed.line_count = parse_int(header[3], "笔数")
            parsed.amount_sum = parse_money(header[4])
            parsed.deducted_on = parse_date(header[5])
        except ValueError as error:
            parsed.problems.append(Problem(1, "header", f"控制行：{error}"))
            return parsed
        parsed.lines = self._lines(rows, parsed.problems)
        return parsed

    def _lines(self, rows: list[str], problems: list[Problem]) -> Iterator[ResultLine]:
        for row, cells in enumerate(csv.reader(rows[1:]), start=2):
            if not cells or not any(cell.strip() for cell in cells):
                continue
            if len(cells) < self.RESULT_FIELDS - 1:
                problems.append(
                    Problem(
                        row,
                        "line",
                        f"字段不全（应有{self.RESULT_FIELDS}项，只有{len(cells)}项），行可能被截断",
                    )
                )
                continue
            if len(cells) == self.RESULT_FIELDS - 1:
                cells.append("")
            try:
                yield ResultLine(
                    row=row,
                    line_number=parse_int(cells[0], "行号"),
                    id_number=cells[1].strip(),
                    name=cells[2].strip(),
                    account_number=cells[3].strip(),
                    amount=parse_money(cells[4]),
                    code=cells[5].strip(),
                    reason=cells[6].strip(),
                )
            except ValueError as error:
                problems.append(Problem(row, "line", str(error)))


# --------------------------------------------------------------------------- fixed width


class FixedWidthAdapter:
    """A bank's own fixed-width layout (an example of the 邮储银行 kind): GB18030, byte columns.

    Export header  ``H`` + key(30) + count(10, zeros) + sum in fen(15, zeros)
    Export detail  ``D`` + line(8, zeros) + ID(18) + name(20 bytes) + account(32) + fen(12)
    Result header  the export header + deduction date(8, YYYYMMDD)
    Result detail  the export detail + code(4) + reason(40 bytes)
    Text columns are left-aligned and padded with spaces; numbers right-aligned with zeros.
    """

    name = "定长格式（邮储）"
    suffix = ".txt"
    ENCODING = "gb18030"
    HEADER = (("tag", 1), ("key", 30), ("count", 10), ("fen", 15))
    DETAIL = (
        ("tag", 1),
        ("line", 8),
        ("id", 18),
        ("name", 20),
        ("account", 32),
        ("fen", 12),
    )
    RESULT_EXTRA = (("code", 4), ("reason", 40))

    @staticmethod
    def _text(value: str, width: int) -> bytes:
        raw = value.encode(FixedWidthAdapter.ENCODING)[:width]
        # never cut a character in half
        while True:
            try:
                raw.decode(FixedWidthAdapter.ENCODING)
                break
            except UnicodeDecodeError:
                raw = raw[:-1]
        return raw.ljust(width, b" ")

    @staticmethod
    def _number(value: int, width: int) -> bytes:
        return str(value).rjust(width, "0").encode("ascii")

    @staticmethod
    def _fen(amount: Decimal) -> int:
        return int((amount.quantize(CENT) * 100).to_integral_value())

    def _header(self, batch: BatchHeader) -> bytes:
        return (
            b"H"
            + self._text(batch.key, 30)
            + self._number(batch.line_count, 10)
            + self._number(self._fen(batch.amount_sum), 15)
        )

    def _detail(self, line: ExportLine) -> bytes:
        return (
            b"D"
            + self._number(line.line_number, 8)
            + self._text(line.id_number, 18)
            + self._text(line.name, 20)
            + self._text(line.account_number, 32)
            + self._number(self._fen(line.amount), 12)
        )

    def export(self, batch: BatchHeader, lines: Iterable[ExportLine]) -> bytes:
        parts = [self._header(batch)]
        parts.extend(self._detail(line) for line in lines)
        return b"\r\n".join(parts) + b"\r\n"

    def result_file(
        self,
        batch: BatchHeader,
        lines: Iterable[tuple[ExportLine, str, str]],
        *,
        deducted_on: datetime.date,
    ) -> bytes:
        parts = [self._header(batch) + deducted_on.strftime("%Y%m%d").encode("ascii")]
        for line, code, reason in lines:
            parts.append(self._detail(line) + self._text(code, 4) + self._text(reason, 40))
        return b"\r\n".join(parts) + b"\r\n"

    @staticmethod
    def _cut(raw: bytes, layout) -> dict:
        values, position = {}, 0
        for name, width in layout:
            values[name] = raw[position : position + width].decode(FixedWidthAdapter.ENCODING)
            position += width
        return values

    def parse_result(self, data: bytes) -> ParsedResult:
        parsed = ParsedResult(encoding=self.ENCODING)
        try:
            data.decode(self.ENCODING)
        except UnicodeDecodeError:
            parsed.problems.append(Problem(None, "file", "文件编码无法识别，应为 GB18030"))
            return parsed
        rows = data.splitlines()
        header_width = sum(width for _, width in self.HEADER) + 8
        if not rows or len(rows[0]) != header_width or not rows[0].startswith(b"H"):
            parsed.problems.append(
                Problem(1, "header", f"首行应为控制行（以 H 开头，共{header_width}字节）")
            )
            return parsed
        header = self._cut(rows[0], (*self.HEADER, ("date", 8)))
        parsed.key = header["key"].strip()
        try:
            parsed.line_count = parse_int(header["count"], "笔数")
            parsed.amount_sum = Decimal(parse_int(header["fen"], "金额")) / 100
            parsed.deducted_on = parse_date(header["date"])
        except ValueError as error:
            parsed.problems.append(Problem(1, "header", f"控制行：{error}"))
            return parsed
        parsed.amount_sum = parsed.amount_sum.quantize(CENT)
        parsed.lines = self._lines(rows, parsed.problems)
        return parsed

    def _lines(self, rows: list[bytes], problems: list[Problem]) -> Iterator[ResultLine]:
        layout = (*self.DETAIL, *self.RESULT_EXTRA)
        width = sum(size for _, size in layout)
        for row, raw in enumerate(rows[1:], start=2):
            if not raw.strip():
                continue
            if len(raw) < width:
                problems.append(
                    Problem(row, "line", f"行长度{len(raw)}字节，应为{width}字节，行可能被截断")
                )
                continue
            if not raw.startswith(b"D"):
                problems.append(Problem(row, "line", "明细行应以 D 开头"))
                continue
            try:
                cells = self._cut(raw, layout)
                yield ResultLine(
                    row=row,
                    line_number=parse_int(cells["line"], "行号"),
                    id_number=cells["id"].strip(),
                    name=cells["name"].strip(),
                    account_number=cells["account"].strip(),
                    amount=(Decimal(parse_int(cells["fen"], "金额")) / 100).quantize(CENT),
                    code=cells["code"].strip(),
                    reason=cells["reason"].strip(),
                )
            except (ValueError, UnicodeDecodeError) as error:
                problems.append(Problem(row, "line", str(error)))


GENERIC = GenericCsvAdapter()

# Bank (as written in Person.passbook_bank and WithholdingBatch.bank) → its own format.
ADAPTERS: dict[str, WithholdingAdapter] = {
    "邮储银行": FixedWidthAdapter(),
}


def adapter_for(bank: str) -> WithholdingAdapter:
    """The bank's own adapter, else the generic CSV format."""
    return ADAPTERS.get(bank, GENERIC)

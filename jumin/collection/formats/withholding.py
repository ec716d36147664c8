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

Every field of a bank, statement or tax file is read through the helpers below (also used by
``collection.tax`` and ``collection.statements``), so each problem is one ``FieldError`` whose
Chinese message starts with the field's name — never Python's own text: amounts through
``jumin.core.money.parse`` (two decimals, within the 14-digit column), whole numbers as ASCII
digits within a database integer, dates from 1900 to the import day, text without control
characters (``jumin.core.text.check_text``) and within its column's length.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, Protocol

from jumin.core import money
from jumin.core.parsing import DATE_MIN
from jumin.core.text import TextError, check_text, has_control_characters, is_ascii_digits

CENT = Decimal("0.01")
SUCCESS = "00"
NEWLINE = b"\n"
EARLIEST_DATE = DATE_MIN  # 1900-01-01, as for every date typed in (core.parsing)
# PositiveIntegerField holds up to 2 147 483 647: counts and line numbers stay below.
LARGEST_WHOLE_NUMBER = 2_147_483_647
# The columns the result file's text reaches (WithholdingLine, Person); longer is refused.
ID_NUMBER_LENGTH = 18
NAME_LENGTH = 50
ACCOUNT_LENGTH = 32
CODE_LENGTH = 10
REASON_LENGTH = 200  # WithholdingLine.bank_reason holds "code reason"
BATCH_KEY_LENGTH = 60
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_BREAKS = re.compile("[\u2028\u2029]")


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

    def parse_result(self, data: bytes, *, on: datetime.date | None = None) -> ParsedResult: ...


# --------------------------------------------------------------------------- shared helpers


class FieldError(ValueError):
    """One field of a file we cannot accept; ``message`` (Chinese) starts with its name."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else GB18030; FieldError otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise FieldError(
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
        raise FieldError(
            f"文件编码无法识别：第{row}行有无法识别的字节，应为 UTF-8 或 GB18030"
        ) from None


def physical_lines(text: str) -> list[str]:
    """The lines of a text file, split at CR, LF or CRLF only (``str.splitlines`` would also
    split at U+001C-U+001E, U+0085 and U+2028, moving the rest of a line to a new one)."""
    return _LINE_BREAK.split(text)


def is_clean_text(text: str) -> bool:
    """True when ``text`` holds no control character but line breaks (scans in C)."""
    return not has_control_characters(text.replace("\n", "").replace("\r", ""))


def money_text(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def amount_field(text, *, label: str = "金额") -> Decimal:
    """'12.50' → Decimal('12.50') through ``core.money.parse``: not negative, at most two
    decimals, within the money column (10²⁸ or 13 digits before the point are refused)."""
    try:
        return money.parse(text)
    except money.MoneyError as error:
        raise FieldError(
            error.message if label == "金额" else f"{label}：{error.message}"
        ) from None


def fen_field(text: str, *, label: str = "金额") -> Decimal:
    """An amount written in fen (``000000012345`` → 123.45), within the money column."""
    fen = whole_number(text, label=label, largest=None)
    return amount_field(Decimal(fen) / 100, label=label)


def whole_number(text: str, *, label: str, largest: int | None = LARGEST_WHOLE_NUMBER) -> int:
    """ASCII digits (``"²"`` and ``"١"`` are refused, unlike ``str.isdigit``) within
    ``largest`` (``None``: any of up to 30 digits)."""
    text = str(text).strip()
    if len(text) > 30 or not is_ascii_digits(text):
        raise FieldError(f"{label}“{text[:20]}”不是整数")
    number = int(text)
    if largest is not None and number > largest:
        raise FieldError(f"{label}“{text}”过大")
    return number


def date_field(text: str, *, label: str = "日期", on: datetime.date | None = None) -> datetime.date:
    """``20260315`` / ``2026-03-15`` → a date from 1900-01-01 to ``on`` (the import day)."""
    text = str(text).strip()
    day = None
    if len(text) <= 10:
        for pattern in ("%Y%m%d", "%Y-%m-%d"):
            try:
                day = datetime.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
    if day is None:
        raise FieldError(f"{label}“{text[:20]}”不正确（应为 20260315 或 2026-03-15）")
    return check_day(day, label=label, on=on)


def check_day(day: datetime.date, *, label: str, on: datetime.date | None) -> datetime.date:
    """``day`` unchanged, or FieldError when it is before 1900 or after the import day."""
    if day < EARLIEST_DATE:
        raise FieldError(f"{label} {day:%Y-%m-%d} 早于 {EARLIEST_DATE.year} 年，不可能是真实的日期")
    if on is not None and day > on:
        raise FieldError(f"{label} {day:%Y-%m-%d} 晚于导入日 {on:%Y-%m-%d}，不可能已经发生")
    return day


def text_field(text: str, *, label: str, max_length: int | None = None) -> str:
    """Trimmed text without control characters and within ``max_length`` characters."""
    text = str(text).strip()
    try:
        check_text(text)
    except TextError as error:
        raise FieldError(f"{label}{error.message}") from None
    if max_length is not None and len(text) > max_length:
        raise FieldError(f"{label}过长（{len(text)}个字符，最多{max_length}个）")
    return text


class LineFields:
    """Reads the fields of one line, recording every problem (not only the first).

    ``read(parse, value, field=..., **options)`` returns the parsed value, or None after
    appending a ``Problem`` for the line; ``ok`` says whether the line had none.
    """

    def __init__(self, row: int, problems: list):
        self.row = row
        self.problems = problems
        self.ok = True

    def read(self, parse, value, *, field: str, **options):
        try:
            return parse(value, **options)
        except FieldError as error:
            self.refuse(field, error.message)
            return None

    def refuse(self, field: str, message: str) -> None:
        """Record a problem the caller found itself (a required field left empty)."""
        self.problems.append(Problem(self.row, field, message))
        self.ok = False


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

    def parse_result(self, data: bytes, *, on: datetime.date | None = None) -> ParsedResult:
        """The control row now, the lines lazily; ``on`` is the import day (the deduction
        date cannot be after it)."""
        parsed = ParsedResult()
        try:
            text, parsed.encoding = decode(data)
        except FieldError as error:
            parsed.problems.append(Problem(None, "file", error.message))
            return parsed
        clean = is_clean_text(text)
        # splitlines (fast) splits at control characters and U+2028/9 too: only when none
        rows = (
            text.splitlines() if clean and not _OTHER_BREAKS.search(text) else physical_lines(text)
        )
        if not text.strip():
            parsed.problems.append(Problem(None, "file", "文件是空的"))
            return parsed
        try:
            header = next(csv.reader([rows[0]]))
        except csv.Error:
            header = []
        if len(header) < 6 or header[0].strip().lstrip("\ufeff") != self.RESULT_TAG:
            parsed.problems.append(
                Problem(
                    1,
                    "header",
                    f"首行应为控制行“{self.RESULT_TAG},1,批次号,笔数,金额合计,扣款日期”",
                )
            )
            return parsed
        fields = LineFields(1, parsed.problems)
        parsed.key = (
            fields.read(
                text_field,
                header[2],
                field="key",
                label="控制行批次号",
                max_length=BATCH_KEY_LENGTH,
            )
            or ""
        )
        parsed.line_count = fields.read(
            whole_number, header[3], field="line_count", label="控制行笔数"
        )
        parsed.amount_sum = fields.read(
            amount_field, header[4], field="amount_sum", label="控制行金额合计"
        )
        parsed.deducted_on = fields.read(
            date_field, header[5], field="deducted_on", label="控制行扣款日期", on=on
        )
        if not fields.ok:
            return parsed
        parsed.lines = self._lines(rows, parsed.problems, clean=clean)
        return parsed

    def _lines(
        self, rows: list[str], problems: list[Problem], *, clean: bool
    ) -> Iterator[ResultLine]:
        """The detail lines; ``clean`` (no control character anywhere in the file) lets a
        line whose fields are plainly right skip the field-by-field reading (a million lines
        are read in seconds), every other line is read by ``_read_line``."""
        reader = csv.reader(rows[1:])
        amounts: dict[str, Decimal] = {}
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                problems.append(
                    Problem(reader.line_num + 1, "line", "无法按 CSV 读取（字段过长或引号不配对）")
                )
                return
            row = reader.line_num + 1
            stripped = [cell.strip() for cell in cells]
            if not any(stripped):
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
                stripped.append("")
            number, id_number, name, account, amount_text, code, reason = stripped[:7]
            amount = amounts.get(amount_text)
            if amount is None:
                try:
                    amount = amounts[amount_text] = amount_field(amount_text)
                except FieldError:
                    pass
            if (
                clean
                and amount is not None
                and 0 < len(number) < 10
                and number.isascii()
                and number.isdigit()
                and len(id_number) <= ID_NUMBER_LENGTH
                and len(name) <= NAME_LENGTH
                and len(account) <= ACCOUNT_LENGTH
                and len(code) <= CODE_LENGTH
                and len(reason) <= REASON_LENGTH
            ):
                yield ResultLine(row, int(number), id_number, name, account, amount, code, reason)
                continue
            line = self._read_line(row, cells, problems)
            if line is not None:
                yield line

    @staticmethod
    def _read_line(row: int, cells: list[str], problems: list[Problem]) -> ResultLine | None:
        """One line read field by field, every problem of it recorded; None if it had any."""
        fields = LineFields(row, problems)
        line = ResultLine(
            row=row,
            line_number=fields.read(whole_number, cells[0], field="line_number", label="行号"),
            id_number=fields.read(
                text_field,
                cells[1],
                field="id_number",
                label="身份证号",
                max_length=ID_NUMBER_LENGTH,
            ),
            name=fields.read(
                text_field, cells[2], field="name", label="姓名", max_length=NAME_LENGTH
            ),
            account_number=fields.read(
                text_field, cells[3], field="account", label="账号", max_length=ACCOUNT_LENGTH
            ),
            amount=fields.read(amount_field, cells[4], field="amount"),
            code=fields.read(
                text_field, cells[5], field="code", label="结果代码", max_length=CODE_LENGTH
            ),
            reason=fields.read(
                text_field, cells[6], field="reason", label="失败原因", max_length=REASON_LENGTH
            ),
        )
        return line if fields.ok else None


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
    def _cut(raw: bytes, layout) -> dict[str, bytes]:
        values, position = {}, 0
        for name, width in layout:
            values[name] = raw[position : position + width]
            position += width
        return values

    @staticmethod
    def _decoded(raw: bytes, *, label: str, max_length: int | None = None) -> str:
        try:
            text = raw.decode(FixedWidthAdapter.ENCODING)
        except UnicodeDecodeError:
            raise FieldError(f"{label}的字节无法按 GB18030 读取（可能有汉字被列宽截断）") from None
        return text_field(text, label=label, max_length=max_length)

    def parse_result(self, data: bytes, *, on: datetime.date | None = None) -> ParsedResult:
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
        fields = LineFields(1, parsed.problems)
        parsed.key = (
            fields.read(self._decoded, header["key"], field="key", label="控制行批次号") or ""
        )
        parsed.line_count = fields.read(
            lambda raw: whole_number(raw.decode("ascii", "replace"), label="控制行笔数"),
            header["count"],
            field="line_count",
        )
        parsed.amount_sum = fields.read(
            lambda raw: fen_field(raw.decode("ascii", "replace"), label="控制行金额合计"),
            header["fen"],
            field="amount_sum",
        )
        parsed.deducted_on = fields.read(
            lambda raw: date_field(raw.decode("ascii", "replace"), label="控制行扣款日期", on=on),
            header["date"],
            field="deducted_on",
        )
        if not fields.ok:
            return parsed
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
            cells = self._cut(raw, layout)
            fields = LineFields(row, problems)
            line = ResultLine(
                row=row,
                line_number=fields.read(
                    lambda raw: whole_number(raw.decode("ascii", "replace"), label="行号"),
                    cells["line"],
                    field="line_number",
                ),
                id_number=fields.read(
                    self._decoded, cells["id"], field="id_number", label="身份证号"
                ),
                name=fields.read(self._decoded, cells["name"], field="name", label="姓名"),
                account_number=fields.read(
                    self._decoded, cells["account"], field="account", label="账号"
                ),
                amount=fields.read(
                    lambda raw: fen_field(raw.decode("ascii", "replace")),
                    cells["fen"],
                    field="amount",
                ),
                code=fields.read(self._decoded, cells["code"], field="code", label="结果代码"),
                reason=fields.read(
                    self._decoded, cells["reason"], field="reason", label="失败原因"
                ),
            )
            if fields.ok:
                yield line


GENERIC = GenericCsvAdapter()

# Bank (as written in Person.passbook_bank and WithholdingBatch.bank) → its own format.
ADAPTERS: dict[str, WithholdingAdapter] = {
    "邮储银行": FixedWidthAdapter(),
}


def adapter_for(bank: str) -> WithholdingAdapter:
    """The bank's own adapter, else the generic CSV format."""
    return ADAPTERS.get(bank, GENERIC)

"""Open a roster file: tell what it is, pick the encoding, find the header, yield rows.

Every refusal of the file as a whole raises ``FileRefused`` with a Chinese sentence a clerk can
act on. An ``.xlsx`` is checked for its unpacked size first (``tabular.check_workbook``), and
reading stops at the first row past ``JUMIN_IMPORT_MAX_ROWS``. Rows come out as ``(row number as Excel shows it, [cell text, ...], problems)`` where
``problems`` is ``None`` or ``{column index: Chinese message}`` for cells that cannot be read
as values (formulas, Excel error values, ID numbers stored as numbers).
"""

import codecs
import csv
import datetime
import hashlib
import itertools
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.conf import settings

from jumin.core.tabular import (
    DAMAGED_WORKBOOK,
    TabularError,
    check_workbook,
    too_many_rows_message,
)
from jumin.core.text import export_text
from jumin.people.formats.roster_columns import (
    FIELD_FOR_HEADER,
    FORMULA_MESSAGE,
    HEADER_FOR,
    REQUIRED_FIELDS,
    column_letter,
    normalise_header,
)

CHUNK_BYTES = 1 << 20
HEADER_SEARCH_ROWS = 20
ACCEPTED_SUFFIXES = {".xlsx", ".xlsm", ".csv", ".txt"}
CSV_FIELD_LIMIT = 1 << 20

ENCODING_UTF8 = "UTF-8"
ENCODING_UTF8_BOM = "UTF-8（带BOM）"
ENCODING_GB18030 = "GB18030（GBK）"

NOT_A_SPREADSHEET = "文件不是表格：只能导入 Excel 工作簿（.xlsx）或 CSV 文件"
UNREADABLE_WORKBOOK = "Excel 文件已损坏或不完整（可能没有上传完），请用 Excel 打开后重新保存再导入"
LONG_NUMBER = (
    "这一格被 Excel 存成了数字，超过15位的部分可能已经变成 0；请把这一列设为“文本”格式后重新填写"
)

Row = tuple[int, list[str], dict[int, str] | None]


class FileRefused(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in Chinese."""

    def __init__(self, message: str, *, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass
class FileFacts:
    sha256: str
    size: int
    line_count: int
    head: bytes


@dataclass
class RowSource:
    """An opened roster: what it is, where its header is, and an iterator over data rows."""

    kind: str
    encoding: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    ignored_headers: list[str]
    estimated_rows: int
    rows: Iterator[Row] = field(repr=False)


def file_facts(path: Path) -> FileFacts:
    """SHA-256, size, number of line breaks and the first bytes, in one pass over the file."""
    digest = hashlib.sha256()
    size = 0
    lines = 0
    head = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if not head:
                head = chunk[:65536]
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return FileFacts(sha256=digest.hexdigest(), size=size, line_count=lines, head=head)


def open_roster(
    path: Path, *, file_name: str, facts: FileFacts | None = None, max_rows: int | None = None
) -> RowSource:
    """The file opened for reading; ``FileRefused`` for a file that cannot or may not be read.

    ``max_rows`` (default ``JUMIN_IMPORT_MAX_ROWS``) counts rows as Excel numbers them.
    """
    facts = facts or file_facts(path)
    max_rows = max_rows or settings.JUMIN_IMPORT_MAX_ROWS
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise FileRefused(f"不支持“{suffix or '无扩展名'}”文件：只能导入 .xlsx 或 .csv 文件")
    if facts.size == 0:
        raise FileRefused("文件是空的")
    head = facts.head
    if head.startswith(b"PK\x03\x04"):
        return _open_workbook(path, max_rows)
    if suffix in (".xlsx", ".xlsm"):
        _refuse_other_binary(head)
        raise FileRefused(
            "文件名是 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的文本文件）；"
            "请用 Excel 打开后“另存为” .xlsx，或把扩展名改为 .csv"
        )
    _refuse_other_binary(head)
    if facts.line_count > max_rows:
        raise FileRefused(too_many_rows_message(max_rows))
    return _open_csv(path, facts, max_rows)


# --------------------------------------------------------------------------- sniffing


def _refuse_other_binary(head: bytes) -> None:
    if head.startswith(b"PK\x03\x04"):
        raise FileRefused(NOT_A_SPREADSHEET)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 后再导入")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            "文件是 UTF-16（Unicode 文本）编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入"
        )
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise FileRefused(NOT_A_SPREADSHEET)


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, head: bytes) -> tuple[str, str]:
    """(Python codec, label for the summary): UTF-8 with or without BOM, else GB18030."""
    if _decodes_as(path, "utf-8"):
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", ENCODING_UTF8_BOM
        return "utf-8", ENCODING_UTF8
    if _decodes_as(path, "gb18030"):
        return "gb18030", ENCODING_GB18030
    raise FileRefused(
        "无法识别文件的文字编码（既不是 UTF-8 也不是 GB18030/GBK）；"
        "请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入"
    )


# --------------------------------------------------------------------------- header


def find_header(first_rows: list[Row]) -> tuple[int, list[str], dict[str, int], list[str]]:
    """The first row naming the ID column is the header (a title row may sit above it)."""
    best: tuple[int, dict[str, int]] | None = None
    for position, (number, cells, _) in enumerate(first_rows):
        columns = _columns_of(cells, number)
        if "id_number" in columns:
            missing = [HEADER_FOR[f] for f in REQUIRED_FIELDS if f not in columns]
            if missing:
                raise FileRefused(f"第{number}行的表头缺少必填列：{'、'.join(missing)}", row=number)
            ignored = [
                export_text(str(cell).strip(), multiline=False)
                for index, cell in enumerate(cells)
                if str(cell).strip() and index not in columns.values()
            ]
            return position, [str(c).strip() for c in cells], columns, ignored
        if columns and (best is None or len(columns) > len(best[1])):
            best = (number, columns)
    if best is None:
        if not first_rows:
            raise FileRefused("文件里没有任何内容")
        raise FileRefused(
            "找不到表头：第一行应是列名，至少包括“身份证号、姓名、村代码”（可下载导入模板对照）",
            row=first_rows[0][0],
        )
    number, columns = best
    missing = [HEADER_FOR[f] for f in REQUIRED_FIELDS if f not in columns]
    raise FileRefused(f"第{number}行的表头缺少必填列：{'、'.join(missing)}", row=number)


def _columns_of(cells: list[str], number: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field_name = FIELD_FOR_HEADER.get(normalise_header(cell))
        if field_name is None:
            continue
        if field_name in columns:
            raise FileRefused(
                f"第{number}行的表头中“{HEADER_FOR[field_name]}”出现了两次"
                f"（第{column_letter(columns[field_name])}列和第{column_letter(index)}列）",
                row=number,
            )
        columns[field_name] = index
    return columns


def _with_header(kind, encoding, rows: Iterator[Row], estimated_rows: int) -> RowSource:
    first_rows = [row for row in itertools.islice(rows, HEADER_SEARCH_ROWS) if any(row[1])]
    position, headers, columns, ignored = find_header(first_rows)
    header_row = first_rows[position][0]
    data_rows = itertools.chain(first_rows[position + 1 :], rows)
    peeked = next(data_rows, None)
    if peeked is None:
        raise FileRefused("文件只有表头，没有数据行")
    return RowSource(
        kind=kind,
        encoding=encoding,
        header_row=header_row,
        headers=headers,
        columns=columns,
        ignored_headers=ignored,
        estimated_rows=max(estimated_rows - header_row, 1),
        rows=itertools.chain((peeked,), data_rows),
    )


# --------------------------------------------------------------------------- CSV


def _open_csv(path: Path, facts: FileFacts, max_rows: int) -> RowSource:
    codec, label = detect_encoding(path, facts.head)
    text_head = facts.head.decode(codec, errors="ignore")
    if not text_head.strip():
        raise FileRefused("文件是空的")
    first_line = text_head.splitlines()[0] if text_head.splitlines() else ""
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    rows = _csv_rows(path, codec, delimiter, max_rows)
    return _with_header("csv", label, rows, facts.line_count + 1)


_CSV_REASONS = {
    "field larger than field limit": "单元格内容过长",
    "line contains NUL": "文件中含有不可见的空字符",
}


def _csv_rows(path: Path, codec: str, delimiter: str, max_rows: int) -> Iterator[Row]:
    with open(path, encoding=codec, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for number, cells in zip(itertools.count(1), reader, strict=False):
                if number > max_rows:
                    raise FileRefused(too_many_rows_message(max_rows), row=number)
                yield number, cells, None
        except csv.Error as error:
            text = str(error)
            reason = next((v for k, v in _CSV_REASONS.items() if k in text), "无法按表格读取")
            line = reader.line_num
            raise FileRefused(
                f"第{line}行附近格式有误：{reason}（请检查是否有不配对的英文引号）", row=line
            ) from error


# --------------------------------------------------------------------------- xlsx


def _open_workbook(path: Path, max_rows: int) -> RowSource:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_workbook(path)
    except TabularError as error:
        raise FileRefused(error.message) from error
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise FileRefused(UNREADABLE_WORKBOOK) from error
    if "xl/workbook.xml" not in names:
        raise FileRefused(NOT_A_SPREADSHEET)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        ParseError,
    ) as error:
        raise FileRefused(UNREADABLE_WORKBOOK) from error
    if not workbook.worksheets:
        workbook.close()
        raise FileRefused("Excel 文件里没有工作表")
    sheet = workbook.worksheets[0]
    estimated = sheet.max_row or 0
    sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
    try:
        rows = iter(WorkbookRows(workbook, sheet, max_rows))
        return _with_header("xlsx", "", rows, min(estimated, max_rows))
    except BaseException:
        workbook.close()
        raise


class WorkbookRows:
    """Rows of the first worksheet as text, with formulas and error values flagged per cell."""

    def __init__(self, workbook, sheet, max_rows: int):
        self.workbook = workbook
        self.sheet = sheet
        self.max_rows = max_rows

    def __iter__(self) -> Iterator[Row]:
        try:
            for number, row in enumerate(self.sheet.iter_rows(), start=1):
                if number > self.max_rows:
                    raise FileRefused(too_many_rows_message(self.max_rows), row=number)
                yield self._row(number, row)
        except DAMAGED_WORKBOOK as error:
            raise FileRefused(UNREADABLE_WORKBOOK) from error
        finally:
            self.workbook.close()

    def _row(self, number: int, row) -> Row:
        cells: list[str] = []
        problems: dict[int, str] | None = None
        for index, cell in enumerate(row):
            value = cell.value
            if value is None:
                cells.append("")
                continue
            kind = cell.data_type
            problem = None
            if kind == "f" or (isinstance(value, str) and value.startswith("=")):
                problem = FORMULA_MESSAGE
                value = str(getattr(value, "text", value))
            elif kind == "e":
                problem = f"单元格是 Excel 错误值 {value}，请改为正确的内容"
            elif isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, int | float):
                if abs(value) >= 1e15:
                    problem = LONG_NUMBER
                value = _number_text(value)
            elif isinstance(value, datetime.datetime):
                value = value.date().isoformat() if value.time() == datetime.time() else str(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            elif not isinstance(value, str):
                value = str(value)
            if problem is not None:
                problems = problems or {}
                problems[index] = problem
            cells.append(value)
        return number, cells, problems


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)

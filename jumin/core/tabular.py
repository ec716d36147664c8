"""Reading the spreadsheets staff hand in: ``.xlsx``, or CSV in UTF-8 or GB18030.

``read_rows(source)`` yields every row (the header first) as a list of cell values, with
its 1-based row number as in Excel, so a message can say "第 5 行". The format is told by
the file's first bytes, never by its name: an ``.xlsx`` renamed ``.csv`` still reads.

- xlsx: strings, numbers, ``datetime`` for date cells; a formula cell comes back as a
  ``Formula`` (a ``str`` subclass holding ``=...``) so the caller can refuse it by name.
- CSV: UTF-8 (with or without BOM) if the start of the file decodes as UTF-8, else GB18030;
  the delimiter is a comma, a tab or a semicolon, whichever the header line uses.

Problems with the file as a whole raise ``TabularError`` with a Chinese message.
Use ``cell_text(value)`` to turn a cell into trimmed text (``341125100000.0`` → ``"341125100000"``).
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
SNIFF_BYTES = 1024 * 1024


class TabularError(Exception):
    """The file as a whole cannot be read; ``message`` says why in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Formula(str):
    """The text of a formula cell (``=SUM(A1:A3)``); imports refuse formulas by name."""


def read_rows(source: str | Path | BinaryIO) -> Iterator[tuple[int, list]]:
    """Yield ``(row_number, cells)`` for every row, header included; blank rows are skipped."""
    stream, owned = _open(source)
    try:
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        if not head.strip():
            raise TabularError("文件是空的")
        if head.startswith(OLD_EXCEL_MAGIC):
            raise TabularError(
                "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传"
            )
        if head.startswith(XLSX_MAGIC):
            yield from _xlsx_rows(stream)
        else:
            yield from _csv_rows(stream, head)
    finally:
        if owned:
            stream.close()


def cell_text(value) -> str:
    """A cell as trimmed text: whole numbers lose their ``.0``, dates read ``2024-01-31``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _open(source) -> tuple[BinaryIO, bool]:
    if isinstance(source, str | Path):
        return open(source, "rb"), True  # noqa: SIM115 — closed by read_rows
    return source, False


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TabularError("文件不是有效的 Excel（.xlsx）文件，可能已损坏") from error
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = [_xlsx_value(cell) for cell in row]
            if any(cell_text(value) for value in cells):
                yield number, cells
    finally:
        workbook.close()


def _xlsx_value(cell):
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str) and value[:1] == "="):
        return Formula(str(value))
    return value


def _csv_rows(stream: BinaryIO, head: bytes) -> Iterator[tuple[int, list]]:
    if b"\x00" in head:
        raise TabularError("文件不是电子表格（应为 .xlsx 或 .csv 文件）")
    encoding = _encoding_of(head)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first_line = text.readline()
        text.seek(0)
        delimiter = max(",\t;", key=first_line.count)
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            if any(cell.strip() for cell in cells):
                yield number, [cell.strip() for cell in cells]
    except UnicodeDecodeError as error:
        raise TabularError("文件编码无法识别，请另存为 UTF-8 或 GB18030 编码的 CSV 文件") from error
    except csv.Error as error:
        raise TabularError(f"CSV 文件格式有误：{error}") from error
    finally:
        text.detach()


def _encoding_of(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"

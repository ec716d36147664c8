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

Limits, so one upload cannot tie up the worker:

- ``check_workbook(source)`` refuses an ``.xlsx`` whose parts unpack to more than
  ``JUMIN_XLSX_MAX_UNPACKED_BYTES`` or pack better than ``JUMIN_XLSX_MAX_RATIO`` : 1 (a "zip
  bomb": a 1 MB file of a million repeated rows), from the zip directory alone, before a single
  row is parsed. ``read_rows`` calls it; the roster reader and the upload pages call it too.
- ``read_rows(source, max_rows=...)`` stops with a ``TabularError`` at the first row past the
  limit (rows counted as Excel numbers them, blank ones included), instead of reading on.
"""

import codecs
import csv
import datetime
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
SNIFF_BYTES = 1024 * 1024
# Parts smaller than this are never refused for their packing ratio (styles, tiny sheets).
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
# An .xlsx has a dozen parts; thousands are a crafted archive.
MAX_PARTS = 1000
MEGABYTE = 1024 * 1024
# What openpyxl raises on a damaged or crafted sheet while it reads rows (a shared-string
# index past the table is an IndexError, a number that is not one a ValueError).
DAMAGED_WORKBOOK = (
    zipfile.BadZipFile,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
    zlib.error,
    ParseError,
)
_CSV_REASONS = {
    "field larger than field limit": "单元格内容过长",
    "line contains NUL": "文件中含有不可见的空字符",
    "new-line character seen in unquoted field": "单元格中有未加引号的换行",
}


class TabularError(Exception):
    """The file as a whole cannot be read; ``message`` says why in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Formula(str):
    """The text of a formula cell (``=SUM(A1:A3)``); imports refuse formulas by name."""


def read_rows(
    source: str | Path | BinaryIO, *, max_rows: int | None = None
) -> Iterator[tuple[int, list]]:
    """Yield ``(row_number, cells)`` for every row, header included; blank rows are skipped.

    A file with more than ``max_rows`` rows raises ``TabularError`` when the reading reaches
    the first row past the limit; an ``.xlsx`` is first checked with ``check_workbook``.
    """
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
            check_workbook(stream)
            stream.seek(0)
            yield from _limited(_xlsx_rows(stream), max_rows)
        else:
            yield from _limited(_csv_rows(stream, head), max_rows)
    finally:
        if owned:
            stream.close()


def too_many_rows_message(max_rows: int) -> str:
    return f"文件超过 {max_rows:,} 行，请分成几个文件导入"


def check_workbook(source: str | Path | BinaryIO) -> None:
    """Refuse an ``.xlsx`` that would unpack too big, reading only its zip directory.

    The sizes in the directory are the most the reader will unpack: ``zipfile`` stops at the
    declared size and fails on a part that holds more (CRC), so a lying directory cannot slip a
    bigger sheet past this check. A file that is not a zip archive is left to the reader.
    """
    from django.conf import settings

    max_unpacked = settings.JUMIN_XLSX_MAX_UNPACKED_BYTES
    max_ratio = settings.JUMIN_XLSX_MAX_RATIO
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    finally:
        if position is not None:
            source.seek(position)
    if len(parts) > MAX_PARTS:
        raise TabularError(f"Excel 文件中的部件太多（{len(parts)} 个），不是正常的 .xlsx 文件")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > max_unpacked:
        raise TabularError(
            f"Excel 文件解压后有 {unpacked / MEGABYTE:,.0f} MB，超过上限 "
            f"{max_unpacked / MEGABYTE:,.0f} MB；请分成几个文件，或另存为 CSV 后再导入"
        )
    for part in parts:
        if part.file_size > RATIO_FLOOR_BYTES and part.file_size > max_ratio * max(
            part.compress_size, 1
        ):
            raise TabularError(
                f"Excel 文件压缩比异常（{part.filename} 从 {part.compress_size / MEGABYTE:,.1f} MB "
                f"解压为 {part.file_size / MEGABYTE:,.0f} MB），可能含有大量重复或空白的行；"
                "请删除多余的行后另存为新文件再导入"
            )


def _limited(rows, max_rows: int | None):
    """The non-blank rows (``None`` marks a blank one), refused at the first past the limit."""
    for number, cells in rows:
        if max_rows is not None and number > max_rows:
            rows.close()  # the workbook is closed now, not when the generator is collected
            raise TabularError(too_many_rows_message(max_rows))
        if cells is not None:
            yield number, cells


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


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, list | None]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        ParseError,
    ) as error:
        raise TabularError("文件不是有效的 Excel（.xlsx）文件，可能已损坏") from error
    try:
        if not workbook.worksheets:
            raise TabularError("Excel 文件里没有工作表")
        sheet = workbook.worksheets[0]
        # A recorded size may be wrong (or crafted: A1:XFD1048576 would pad every row to
        # 16 384 cells); read the rows and cells there are.
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(), start=1):
            # A blank row is counted (``None``) but never reaches the caller.
            cells = [_xlsx_value(cell) for cell in row]
            yield number, cells if any(cell_text(value) for value in cells) else None
    except DAMAGED_WORKBOOK as error:
        raise TabularError("文件不是有效的 Excel（.xlsx）文件，可能已损坏") from error
    finally:
        workbook.close()


def _xlsx_value(cell):
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str) and value[:1] == "="):
        return Formula(str(value))
    return value


def _csv_rows(stream: BinaryIO, head: bytes) -> Iterator[tuple[int, list | None]]:
    if b"\x00" in head:
        raise TabularError("文件不是电子表格（应为 .xlsx 或 .csv 文件）")
    encoding = _encoding_of(head)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first_line = text.readline()
        text.seek(0)
        delimiter = max(",\t;", key=first_line.count)
        reader = csv.reader(text, delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                yield number, [cell.strip() for cell in cells]
            else:
                yield number, None
    except UnicodeDecodeError as error:
        raise TabularError("文件编码无法识别，请另存为 UTF-8 或 GB18030 编码的 CSV 文件") from error
    except csv.Error as error:
        text_of_error = str(error)
        reason = next((v for k, v in _CSV_REASONS.items() if k in text_of_error), "无法按表格读取")
        raise TabularError(
            f"CSV 文件第{reader.line_num}行附近格式有误：{reason}（请检查是否有不配对的英文引号）"
        ) from error
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

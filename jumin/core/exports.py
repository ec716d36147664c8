"""Every Excel or CSV download for staff goes through here: stored text can never break it
or run in Excel.

- Text passes through ``core.text.export_text``: a control character stored before the input
  rule existed (or by a file or a partner) becomes a visible � instead of making openpyxl
  refuse the whole workbook (which answered 500 for every export holding the value).
- A text cell is always a text cell: ``=HYPERLINK(...)`` typed as a payer's name is shown as
  those characters, never evaluated. In Excel the cell is typed as a string; in CSV, which has
  no cell types, a value starting with ``= + - @``, a tab or a carriage return gets a leading
  apostrophe (the OWASP advice for CSV injection).
- CSV is UTF-8 with a byte-order mark and CRLF line ends, so Excel opens Chinese text right.

Bank and tax files sent to partners are fixed formats of their own (``collection.withholding``,
``collection.tax``) and do not use this module.
"""

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from jumin.core.text import export_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# What makes Excel read a cell as a formula (or, in CSV, a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@")
CSV_FORMULA_STARTS = (*FORMULA_STARTS, "\t", "\r")
# Excel's limit for one cell; a longer text is cut rather than refused.
CELL_MAX_CHARACTERS = 32_767


def cell_value(value):
    """A value as an export writes it: numbers and dates as they are, everything else as
    safe text (lazy translations, enums and ids included)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        # openpyxl refuses time-zone-aware datetimes: local time, as the pages show it
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    return export_text(str(value))[:CELL_MAX_CHARACTERS]


class ExcelSheet:
    """One sheet of an ``ExcelExport``: ``append`` a row of plain values, as with openpyxl."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.rows = 0

    def append(self, values: Iterable) -> None:
        self.worksheet.append([self._cell(value) for value in values])
        self.rows += 1

    def widths(self, *widths: float) -> None:
        """Column widths, from A; only before the first ``append`` (write-only sheets)."""
        from openpyxl.utils import get_column_letter

        for index, width in enumerate(widths, start=1):
            self.worksheet.column_dimensions[get_column_letter(index)].width = width

    def _cell(self, value):
        value = cell_value(value)
        if not isinstance(value, str):
            return value
        # a string cell: Excel shows "=1+1" as typed, never as a formula
        cell = WriteOnlyCell(self.worksheet, value=value)
        cell.data_type = "s"
        return cell


class ExcelExport:
    """A write-only workbook (little memory, fast): ``sheet(title)``, then ``response(name)``.

    The workbook is built in memory; for a village or a township that is a few megabytes.
    """

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, title: str) -> ExcelSheet:
        return ExcelSheet(self.workbook.create_sheet(str(title)[:31]))

    def save(self, path) -> None:
        """Write the workbook to a file (a long list kept for later download)."""
        self.workbook.save(path)

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()

    def response(self, file_name: str) -> HttpResponse:
        return download(self.content(), file_name=file_name, content_type=XLSX_CONTENT_TYPE)


def csv_text(value) -> str:
    """One CSV field: safe text, with an apostrophe in front of what Excel would run."""
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if not isinstance(value, str):
        return str(value)
    if value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


def csv_content(rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends: what Excel opens without asking."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(rows: Iterable[Iterable], *, file_name: str) -> HttpResponse:
    return download(csv_content(rows), file_name=file_name, content_type=CSV_CONTENT_TYPE)


def download(content: bytes, *, file_name: str, content_type: str) -> HttpResponse:
    """An attachment whose (possibly Chinese) file name every browser reads right."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response

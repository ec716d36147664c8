"""The shared spreadsheet reader refuses files that would tie up the worker:
an .xlsx that unpacks too big or packs like a zip bomb is refused from its zip directory,
before a row is parsed; a file with more rows than allowed stops at the first row past the
limit; CSV problems are told in Chinese, never in Python's words."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from jumin.core.tabular import TabularError, check_workbook, read_rows

SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by ``sheet_xml`` (deflated)."""
    original = zipfile.ZipFile(io.BytesIO(workbook_bytes([["区划代码", "名称"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in original.infolist():
            data = sheet_xml if part.filename == SHEET else original.read(part.filename)
            archive.writestr(part.filename, data)
    return buffer.getvalue()


def zip_bomb(rows: int) -> bytes:
    """Many identical rows without row numbers: a few kB that unpack to tens of MB."""
    row = b'<row><c t="inlineStr"><is><t>341125100001</t></is></c></row>'
    return with_sheet(
        SHEET_START.encode() + b"<sheetData>" + row * rows + b"</sheetData></worksheet>"
    )


def test_a_zip_bomb_is_refused_from_its_directory_quickly():
    data = zip_bomb(400_000)  # 24 MB of sheet XML
    assert len(data) < 200_000
    started = time.perf_counter()
    with pytest.raises(TabularError) as caught:
        list(read_rows(io.BytesIO(data)))
    assert time.perf_counter() - started < 2
    assert "压缩比异常" in caught.value.message and SHEET in caught.value.message


def test_a_workbook_that_unpacks_above_the_limit_is_refused(settings):
    data = workbook_bytes([["区划代码", "名称"], ["341125100000", "城关镇"]])
    settings.JUMIN_XLSX_MAX_UNPACKED_BYTES = 5_000
    with pytest.raises(TabularError) as caught:
        check_workbook(io.BytesIO(data))
    assert "解压后" in caught.value.message and "超过上限" in caught.value.message
    settings.JUMIN_XLSX_MAX_UNPACKED_BYTES = 1024 * 1024
    check_workbook(io.BytesIO(data))
    assert [cells for _, cells in read_rows(io.BytesIO(data))][1] == ["341125100000", "城关镇"]


def test_an_ordinary_roster_sized_workbook_passes_the_ratio_check(settings):
    rows = [["身份证号", "姓名", "村代码"]]
    rows += [[f"3411251980{index:08d}", f"张{index}", "341125100001"] for index in range(60_000)]
    data = workbook_bytes(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.getinfo(SHEET)
    assert sheet.file_size > 2_000_000
    settings.JUMIN_XLSX_MAX_RATIO = 30  # far below the default; a real sheet packs ~9:1
    check_workbook(io.BytesIO(data))


def test_reading_stops_at_the_row_limit_without_reading_on():
    """A sheet jumping to row 1 000 000 would yield a million blank rows: it stops at 100."""
    sheet = (
        SHEET_START + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>区划代码</t></is></c></row>'
        '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    data = with_sheet(sheet.encode())
    started = time.perf_counter()
    rows = read_rows(io.BytesIO(data), max_rows=100)
    assert next(rows) == (1, ["区划代码"])
    with pytest.raises(TabularError) as caught:
        next(rows)
    assert time.perf_counter() - started < 2
    assert caught.value.message == "文件超过 100 行，请分成几个文件导入"


def test_a_recorded_size_of_the_whole_sheet_does_not_pad_every_row():
    sheet = (
        SHEET_START + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>区划代码</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>名称</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    started = time.perf_counter()
    assert list(read_rows(io.BytesIO(with_sheet(sheet.encode())))) == [(1, ["区划代码", "名称"])]
    assert time.perf_counter() - started < 2


def test_csv_row_limit_and_problems_in_chinese():
    data = "区划代码,名称\n" + "341125100000,城关镇\n" * 5
    assert len(list(read_rows(io.BytesIO(data.encode()), max_rows=6))) == 6
    with pytest.raises(TabularError) as caught:
        list(read_rows(io.BytesIO(data.encode()), max_rows=5))
    assert "文件超过 5 行" in caught.value.message
    huge_cell = (
        '区划代码,名称\n341125100000,"' + "长" * 1_100_000
    )  # over the roster reader's 1 MB limit too + '"\n'
    with pytest.raises(TabularError) as caught:
        list(read_rows(io.BytesIO(huge_cell.encode())))
    assert caught.value.message.startswith("CSV 文件第")
    assert "单元格内容过长" in caught.value.message and "field limit" not in caught.value.message


@pytest.mark.parametrize(
    "sheet_data",
    [
        b"<sheetData><row><c><v>1</v></c></row>",  # cut short
        b'<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>',
        b'<sheetData><row r="x"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
    ],
)
def test_a_damaged_sheet_is_a_chinese_message(sheet_data):
    data = with_sheet(SHEET_START.encode() + sheet_data)
    with pytest.raises(TabularError) as caught:
        list(read_rows(io.BytesIO(data)))
    assert "不是有效的 Excel" in caught.value.message

"""Region import: a control character or a non-ASCII digit in a cell is an error of its row and
column, and a file over the row limit or an .xlsx zip bomb is refused whole; nothing is written."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jumin.core.models import AuditEntry, Region, Role
from jumin.core.services import regions


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def errors(result) -> list[tuple]:
    return [(error.row, error.field, error.message) for error in result.errors]


def nothing_written(before: int) -> None:
    assert Region.objects.count() == before
    assert not AuditEntry.objects.filter(
        action__in=["core.region.import", "core.region.create"]
    ).exists()


def test_a_control_character_in_a_name_or_code_names_row_and_column(tree, staff):
    before = Region.objects.count()
    text = (
        "区划代码,名称\n341125102000,张桥镇\n341125102001,张\x07桥村\n"
        "3411251020\x1b2,新村\n341125102003,\x7f\n"
    )
    result = regions.import_regions_file(csv_file(text), acting_user=staff[Role.COUNTY_ADMIN])
    assert errors(result) == [
        (3, "名称", "不能包含控制字符（第2个字符 U+0007）"),
        (4, "区划代码", "不能包含控制字符（第11个字符 U+001B）"),
        (5, "名称", "不能包含控制字符（第1个字符 U+007F）"),
    ]
    nothing_written(before)


def test_digits_of_another_script_are_not_a_code(tree, staff):
    before = Region.objects.count()
    arabic_indic = "٣٤١١٢٥١٠٢٠٠٠"  # twelve digits to \d and isdigit(), not to a database
    result = regions.import_regions_file(
        csv_file(f"区划代码,名称\n{arabic_indic},张桥镇\n"), acting_user=staff[Role.COUNTY_ADMIN]
    )
    assert errors(result) == [(2, "区划代码", f"区划代码应为12位数字（现为“{arabic_indic}”）")]
    nothing_written(before)


def test_a_file_over_the_row_limit_is_refused_whole(tree, staff, settings):
    settings.JUMIN_REGION_IMPORT_MAX_ROWS = 3
    before = Region.objects.count()
    text = "区划代码,名称\n" + "".join(f"34112510200{n},村{n}\n" for n in range(1, 4))
    result = regions.import_regions_file(csv_file(text), acting_user=staff[Role.COUNTY_ADMIN])
    assert errors(result) == [(0, "文件", "文件超过 3 行，请分成几个文件导入")]
    nothing_written(before)


def zip_bomb() -> bytes:
    workbook = Workbook()
    workbook.active.append(["区划代码", "名称"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = b'<row><c t="inlineStr"><is><t>341125102001</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData>' + row * 300_000 + b"</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            data = sheet if part.filename == "xl/worksheets/sheet1.xml" else source.read(part)
            archive.writestr(part.filename, data)
    return bomb.getvalue()


def test_the_regions_page_shows_the_refusals(client, tree, staff):
    before = Region.objects.count()
    client.force_login(staff[Role.COUNTY_ADMIN])
    upload = SimpleUploadedFile("r.csv", "区划代码,名称\n341125102000,张\x07桥镇\n".encode())
    page = client.post("/regions/import/", {"file": upload}).content.decode()
    assert "第 2 行" in page and "不能包含控制字符（第2个字符 U+0007）" in page
    response = client.post("/regions/import/", {"file": SimpleUploadedFile("r.xlsx", zip_bomb())})
    assert response.status_code == 200 and "压缩比异常" in response.content.decode()
    nothing_written(before)

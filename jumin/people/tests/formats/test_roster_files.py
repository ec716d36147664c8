"""Roster import: each kind of bad *file* is refused as a whole, with a message saying why."""

import datetime
import zipfile

import pytest
from openpyxl import Workbook

from jumin.core.models import AuditEntry, JobStatus, Role
from jumin.people.formats.roster_samples import HEADERS, roster_row, write_csv, write_xlsx
from jumin.people.models import Person
from jumin.people.tests.rosters import import_file

pytestmark = pytest.mark.usefixtures("media")


def refusal(roster_import) -> str:
    roster_import.job.refresh_from_db()
    assert roster_import.job.status == JobStatus.DONE
    assert roster_import.job.result["outcome"] == "refused"
    assert roster_import.rows_added == 0
    assert len(roster_import.errors) == 1
    return roster_import.errors[0]["message"]


def test_utf8_csv_with_chinese_names_is_imported(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1, name="欧阳娜娜"), roster_row(2)])
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 2
    assert Person.objects.filter(name="欧阳娜娜").exists()
    assert roster_import.job.result["encoding"] == "UTF-8"
    assert "文件编码：UTF-8" in roster_import.job.message


def test_utf8_csv_with_bom_is_imported_and_said_so(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1, name="李秀英")], encoding="utf-8-sig")
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1
    assert Person.objects.get().name == "李秀英"
    assert "BOM" in roster_import.job.result["encoding"]


def test_gb18030_csv_with_chinese_names_is_detected(tree, staff, tmp_path):
    rows = [roster_row(1, name="王淑珍"), roster_row(2, name="赵䶮")]  # 䶮 is only in GB18030
    path = write_csv(tmp_path / "roster.csv", rows, encoding="gb18030")
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 2
    assert set(Person.objects.values_list("name", flat=True)) == {"王淑珍", "赵䶮"}
    assert roster_import.job.result["encoding"].startswith("GB18030")
    assert "文件编码：GB18030" in roster_import.job.message


def test_gbk_header_is_read_not_mistaken_for_missing_columns(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(3)], encoding="gbk")
    assert import_file(path, staff[Role.COUNTY_CLERK]).rows_added == 1


def test_xlsx_is_imported_with_dates_and_a_title_row_above_the_header(tree, staff, tmp_path):
    row = roster_row(1, name="孙丽")
    row["出生日期"] = datetime.datetime(1950, 1, 1)
    path = write_xlsx(tmp_path / "roster.xlsx", [row], before=[["东门村花名册"]])
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1, roster_import.errors
    assert Person.objects.get().birth_date == datetime.date(1950, 1, 1)


def test_empty_file_is_refused(tree, staff, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"")
    assert refusal(import_file(path, staff[Role.COUNTY_CLERK])) == "文件是空的"


def test_blank_text_file_is_refused_as_empty(tree, staff, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf \r\n\r\n")
    assert "空" in refusal(import_file(path, staff[Role.COUNTY_CLERK]))


def test_header_without_data_rows_is_refused(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [])
    assert refusal(import_file(path, staff[Role.COUNTY_CLERK])) == "文件只有表头，没有数据行"


def test_missing_required_column_is_named(tree, staff, tmp_path):
    headers = [header for header in HEADERS if header != "村代码"]
    path = write_csv(tmp_path / "roster.csv", [roster_row(1)], headers=headers)
    message = refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert "缺少必填列" in message and "村代码" in message
    assert "姓名" not in message.split("：")[-1]


def test_wrong_headers_are_refused_with_what_is_expected(tree, staff, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("编号,名字,地址\n1,张三,东门村\n", encoding="utf-8")
    message = refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert "表头" in message and "身份证号" in message


def test_header_aliases_are_accepted(tree, staff, tmp_path):
    row = roster_row(1)
    aliases = {"身份证号": "公民身份号码", "村代码": "村（社区）代码", "联系电话": "手机号码"}
    headers = [aliases.get(header, header) for header in HEADERS]
    renamed = {aliases.get(key, key): value for key, value in row.items()}
    path = write_csv(tmp_path / "roster.csv", [renamed], headers=headers)
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1
    assert Person.objects.get().phone == row["联系电话"]


def test_duplicate_column_is_refused(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1)], headers=[*HEADERS, "身份证号码"])
    message = refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert "身份证号" in message and "两次" in message


def test_binary_file_is_not_a_spreadsheet(tree, staff, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "不是表格" in refusal(import_file(path, staff[Role.COUNTY_CLERK]))


def test_word_document_is_not_a_spreadsheet(tree, staff, tmp_path):
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "不是表格" in refusal(import_file(path, staff[Role.COUNTY_CLERK]))


def test_old_xls_is_refused_with_how_to_convert(tree, staff, tmp_path):
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    message = refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert ".xlsx" in message


def test_unsupported_extension_is_refused(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.pdf", [roster_row(1)])
    assert "只能导入 .xlsx 或 .csv" in refusal(import_file(path, staff[Role.COUNTY_CLERK]))


def test_xlsx_that_is_really_a_text_file_is_refused(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.xlsx", [roster_row(1)])
    message = refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert "不是 Excel 工作簿" in message
    assert Person.objects.count() == 0


def test_truncated_xlsx_is_refused(tree, staff, tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", [roster_row(n) for n in range(200)])
    path = tmp_path / "roster.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert "损坏或不完整" in refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert Person.objects.count() == 0


def test_text_in_neither_utf8_nor_gb18030_is_refused(tree, staff, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("身份证号,姓名,村代码\n".encode() + b"\x80\x81\xff\xfe,\xff\n")
    assert "编码" in refusal(import_file(path, staff[Role.COUNTY_CLERK]))


def test_unbalanced_quote_swallowing_the_file_is_refused(tree, staff, tmp_path):
    path = tmp_path / "roster.csv"
    body = "身份证号,姓名,村代码\n" + '"' + "x" * 1_100_000 + "\n"
    path.write_text(body, encoding="utf-8")
    message = refusal(import_file(path, staff[Role.COUNTY_CLERK]))
    assert "第2行" in message and "过长" in message


def test_formula_cell_is_refused_for_that_cell(tree, staff, tmp_path):
    rows = [roster_row(1), roster_row(2, 姓名='=CONCAT("张","三")')]
    path = write_xlsx(tmp_path / "roster.xlsx", rows)
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1
    assert roster_import.errors == [
        {
            "row": 3,
            "column": "姓名",
            "value": '=CONCAT("张","三")',
            "message": "单元格含公式，请粘贴为数值",
        }
    ]


def test_id_number_stored_as_excel_number_is_refused(tree, staff, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "姓名", "村代码"])
    sheet.append([341125195001010011, "张三", "341125100001"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_rejected == 1
    assert "存成了数字" in roster_import.errors[0]["message"]
    assert roster_import.errors[0]["column"] == "身份证号"


def test_huge_cell_is_refused_naming_row_and_column(tree, staff, tmp_path):
    rows = [roster_row(1), roster_row(2, 与户主关系="很" * 5000)]
    path = write_csv(tmp_path / "roster.csv", rows)
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1
    [error] = roster_import.errors
    assert (error["row"], error["column"]) == (3, "与户主关系")
    assert "过长" in error["message"]
    assert len(error["value"]) < 200  # the value is shortened in the report


def test_refused_file_is_audited_and_writes_nothing(tree, staff, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"")
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    entry = AuditEntry.objects.get(action="people.roster_import.run")
    assert entry.object_id == str(roster_import.pk)
    assert entry.after["outcome"] == "refused"
    assert not AuditEntry.objects.filter(action__startswith="person.").exists()

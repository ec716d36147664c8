"""The two workbooks a clerk downloads: the blank template and the list of errors."""

import io
from pathlib import Path

from django.conf import settings
from django.http import Http404

from jumin.core.exports import ExcelExport
from jumin.people import fields
from jumin.people.fields import DIGIT_KINDS
from jumin.people.formats.roster_columns import COLUMNS, HEADER_FOR, REQUIRED_FIELDS

ERROR_HEADERS = ("行号", "列", "单元格内容", "错误原因")
# Excel's last row is 1 048 576; a longer list is cut with a note.
ERROR_ROWS_MAX = 1_000_000
# Columns whose text looks like a number: kept as text in Excel, so long codes stay whole.
TEXT_FIELDS = {f.name for f in fields.IMPORTED if f.kind in DIGIT_KINDS}


def example_row() -> dict[str, str]:
    return {f.name: f.example for f in fields.IMPORTED}


def template_workbook() -> bytes:
    """Headers, one example row and a sheet of notes; ID-like columns are text in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    example = example_row()
    for index, (field, header) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=header)
        head.font = Font(bold=True, color="B00020" if field in REQUIRED_FIELDS else "000000")
        cell = sheet.cell(row=2, column=index, value=example[field] or None)
        if field in TEXT_FIELDS:
            cell.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = 22 if field in TEXT_FIELDS else 12
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    required = "、".join(HEADER_FOR[field] for field in REQUIRED_FIELDS)
    for line in (
        f"第一行是列名，请不要修改；红色的“{required}”必须填写，其余可以不填。",
        "第二行是示例，导入前请删除或改成真实数据。",
        "身份证号、村代码、户号、电话、账号等列请设为“文本”格式，否则 Excel 会把长数字改掉。",
        "性别填“男”或“女”；日期写成 1980-01-31；户籍类型填：农业、非农业、居民户口。",
        "村代码是12位统计用区划代码，只能填您管辖范围内的村（社区）。",
        "空白的单元格不会清除系统里已有的内容。",
        "不要使用公式：请“选择性粘贴”为数值。",
        "也可以导入 CSV 文件（UTF-8 或 GB18030/GBK 编码），列名相同。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_path(roster_import_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "errors" / f"{roster_import_id}.xlsx"


def errors_workbook(errors: list, *, title: str) -> ExcelExport:
    """(row, column, value, message) per line, through ``core.exports`` like every export: the
    typed value is a text cell (``=...`` never runs), control characters shown as �."""
    workbook = ExcelExport()
    sheet = workbook.sheet("错误")
    sheet.widths(8, 14, 30, 70)
    sheet.append([title])
    sheet.append(ERROR_HEADERS)
    for row, column, value, message in errors[:ERROR_ROWS_MAX]:
        sheet.append([row or "", column, "" if value is None else str(value), message])
    if len(errors) > ERROR_ROWS_MAX:
        sheet.append(
            ["", "", "", f"错误太多，只列出了前 {ERROR_ROWS_MAX} 条（共 {len(errors)} 条）"]
        )
    return workbook


def write_errors_workbook(path: Path, errors: list, *, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    errors_workbook(errors, title=title).save(temporary)
    temporary.replace(path)


def errors_workbook_bytes(errors: list, *, title: str) -> bytes:
    return errors_workbook(errors, title=title).content()


def errors_file(roster_import) -> tuple[bytes, str]:
    """An import's error list as (xlsx content, file name), for the page and the API alike: the
    full list the job wrote or, if that file is gone, the first errors kept on the record.
    ``Http404`` when the import has none."""
    file_name = f"导入错误-{roster_import.pk}.xlsx"
    path = errors_path(roster_import.pk)
    if path.exists():
        return path.read_bytes(), file_name
    if not roster_import.errors:
        raise Http404
    rows = [(e["row"], e["column"], e["value"], e["message"]) for e in roster_import.errors]
    return errors_workbook_bytes(rows, title=roster_import.job.message), file_name

"""The township and village list a county hands in: ``区划代码,名称[,生效日期,失效日期]`` in
``.xlsx`` or ``.csv`` (UTF-8 or GB18030), read and checked row by row.

Every problem is a ``RowError`` naming the row (as Excel numbers it) and the column; the
service writes nothing while there is one. Level and parent follow from the code: a township
ends in ``000`` and belongs to the county, a village to its township.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from jumin.core.exports import ExcelExport
from jumin.core.models import RegionLevel
from jumin.core.tabular import Formula, TabularError, cell_text, read_rows
from jumin.core.text import TextError, check_text, is_ascii_digits

HEADERS = {"区划代码": "code", "名称": "name", "生效日期": "valid_from", "失效日期": "valid_to"}
FIELD_LABELS = {value: key for key, value in HEADERS.items()}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it; 0 for the file as a whole
    field: str  # the column's Chinese header, or 文件 / 表头
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedRow:
    row: int
    code: str
    name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


def level_of(code: str) -> RegionLevel:
    """A township's code ends in ``000``; every other code of the file is a village."""
    return RegionLevel.TOWNSHIP if code.endswith("000") else RegionLevel.VILLAGE


def parent_of(code: str) -> str:
    """A township belongs to its county, a village to its township."""
    if level_of(code) == RegionLevel.TOWNSHIP:
        return code[:6] + "000000"
    return code[:9] + "000"


def parse_file(
    path, *, may_import: Callable[[str], bool], result: ImportResult
) -> tuple[list[ParsedRow], bool]:
    """The rows of the file that pass every check, and whether it has the date columns.

    Problems go to ``result.errors``; ``may_import(code)`` says whether the acting user may
    import a code (their scope). ``TabularError`` when the file cannot be read at all.
    """
    rows = read_rows(path, max_rows=settings.JUMIN_REGION_IMPORT_MAX_ROWS)
    header = next(rows, None)
    if header is None:
        raise TabularError("文件中没有内容")
    header_row, header_cells = header
    columns = {}
    for index, cell in enumerate(header_cells):
        key = HEADERS.get(cell_text(cell).replace(" ", ""))
        if key and key not in columns:
            columns[key] = index
    missing = [
        label for label, key in HEADERS.items() if key in ("code", "name") and key not in columns
    ]
    if missing:
        result.errors.append(
            RowError(
                header_row,
                "表头",
                f"缺少“{'”“'.join(missing)}”列；第一行应为：区划代码,名称（可加：生效日期,失效日期）",
            )
        )
        return [], False
    parsed: list[ParsedRow] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        result.rows += 1
        item = _parse_row(number, cells, columns, may_import, first_row_of, result)
        if item is not None:
            parsed.append(item)
    if not parsed and not result.errors:
        raise TabularError("文件中只有表头，没有数据行")
    return parsed, "valid_from" in columns or "valid_to" in columns


def _cell(cells: list, columns: dict, key: str):
    index = columns.get(key)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _parse_row(number, cells, columns, may_import, first_row_of, result) -> ParsedRow | None:
    errors_before = len(result.errors)

    def error(key: str, message: str) -> None:
        result.errors.append(RowError(number, FIELD_LABELS[key], message))

    for key in columns:
        if isinstance(_cell(cells, columns, key), Formula):
            error(key, "单元格是公式，请改为直接填写内容（复制后“粘贴为数值”）")
    if len(result.errors) > errors_before:
        return None
    for key in columns:
        try:
            check_text(cell_text(_cell(cells, columns, key)))
        except TextError as refused:
            error(key, refused.message)
    if len(result.errors) > errors_before:
        return None
    code = cell_text(_cell(cells, columns, "code")).replace(" ", "")
    name = cell_text(_cell(cells, columns, "name"))
    if len(code) != 12 or not is_ascii_digits(code):
        error("code", f"区划代码应为12位数字（现为“{code[:20]}”）")
    elif code[6:9] == "000":
        error("code", f"{code} 是县级或以上的代码；这里只导入乡镇（街道）和村（社区）")
    elif code in first_row_of:
        error("code", f"区划代码 {code} 与第 {first_row_of[code]} 行重复")
    elif not may_import(code):
        error("code", f"区划代码 {code} 不在您的管辖范围内")
    else:
        first_row_of[code] = number
    if not name:
        error("name", "名称不能为空")
    elif len(name) > 100:
        error("name", "名称过长（最多100个字）")
    valid_from = _date(_cell(cells, columns, "valid_from"), "valid_from", error)
    valid_to = _date(_cell(cells, columns, "valid_to"), "valid_to", error)
    if valid_from and valid_to and valid_to < valid_from:
        error("valid_to", "失效日期不能早于生效日期")
    if len(result.errors) > errors_before:
        return None
    return ParsedRow(number, code, name, valid_from, valid_to)


def _date(value, key: str, error) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    error(key, f"{FIELD_LABELS[key]}格式应为 2024-01-31（现为“{text[:20]}”）")
    return None


def template_workbook(county: str) -> ExcelExport:
    """An empty list with the right headers and one example row for each level, for the
    county ``county`` (six digits)."""
    workbook = ExcelExport()
    sheet = workbook.sheet("区划")
    sheet.widths(22, 22, 22, 22)
    sheet.append(["区划代码", "名称", "生效日期", "失效日期"])
    # codes are text cells: Excel keeps the twelve digits as typed
    sheet.append([f"{county}100000", "某某镇（示例，请删除）", "", ""])
    sheet.append([f"{county}100001", "某某村（示例，请删除）", "", ""])
    return workbook

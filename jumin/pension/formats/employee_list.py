"""The employee pension scheme's member list as a file (职工养老保险参保名单), POLICY §2.1.

The list comes from the employee scheme as .xlsx or CSV (UTF-8 or GB18030) with the columns
身份证号, 姓名, 参保单位, 参保日期 (common variants of the header names are accepted). Every row
is checked; each problem is named by row and column. A cell holding a control character is
an error of its row and column (``core.text.check_text``), like any other. The import itself
(``jumin.pension.services.employee_list``) writes the rows.
"""

import datetime
import hashlib
import re
from pathlib import Path

from django.conf import settings

from jumin.core.tabular import Formula, cell_text, read_rows
from jumin.core.text import TextError, check_text
from jumin.people.rules import IdNumberError, parse_id_number

FIELDS = ("name", "employer", "since")

# field → (the column title used in messages, accepted header spellings)
COLUMNS = {
    "id_number": (
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "社会保障号码"),
    ),
    "name": ("姓名", ("姓名", "名字", "参保人姓名")),
    "employer": ("参保单位", ("参保单位", "单位名称", "参保单位名称", "工作单位", "单位")),
    "since": ("参保日期", ("参保日期", "参保时间", "参加职保日期", "参保年月", "首次参保日期")),
}
MAX_LENGTH = {"name": 50, "employer": 200}
EARLIEST_YEAR = 1900


def row_error(row: int | None, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": message}


def _header_key(text: str) -> str:
    return re.sub(r"[\s*＊:：()（）]", "", text)


def _columns(header: list) -> tuple[dict[str, int], list[dict]]:
    """Map each field to its column index from the header row."""
    positions = {}
    wanted = {
        _header_key(spelling): key
        for key, (_, spellings) in COLUMNS.items()
        for spelling in spellings
    }
    for index, cell in enumerate(header):
        key = wanted.get(_header_key(cell_text(cell)))
        if key and key not in positions:
            positions[key] = index
    errors = []
    if "id_number" not in positions:
        found = "、".join(cell_text(cell) for cell in header if cell_text(cell)) or "（空）"
        errors.append(row_error(1, "身份证号", f"第1行标题中找不到“身份证号”列（现有：{found}）"))
    return positions, errors


DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"), 3),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), 3),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), 2),
    (re.compile(r"^(\d{4})(\d{2})$"), 2),
)


def parse_date(value) -> datetime.date | None:
    """A 参保日期 cell as a date; ``None`` for an empty cell; ValueError if unreadable.
    A month alone (2015-03, 201503) means its first day."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    text = text.split(" ")[0]
    for pattern, parts in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            numbers = [int(part) for part in match.groups()]
            if parts == 2:
                numbers.append(1)
            return datetime.date(*numbers)
    raise ValueError(text)


def read_members(source, *, today: datetime.date) -> tuple[list[dict], list[dict], int]:
    """Every row as ``{"row", "id_number", "name", "employer", "since"}``, the errors, and the
    number of data rows. Nothing is written."""
    members: list[dict] = []
    errors: list[dict] = []
    seen: dict[str, int] = {}
    rows = read_rows(source, max_rows=settings.JUMIN_EMPLOYEE_LIST_MAX_ROWS)
    try:
        _, header = next(rows)
    except StopIteration:
        return [], [row_error(None, "", "文件是空的")], 0
    positions, header_errors = _columns(header)
    if header_errors:
        return [], header_errors, 0
    count = 0
    for number, cells in rows:
        count += 1

        def cell(key, cells=cells):
            index = positions.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        refused = False
        for key in positions:
            if isinstance(cell(key), Formula):
                errors.append(row_error(number, COLUMNS[key][0], "不能是公式，请粘贴为数值"))
            try:
                check_text(cell_text(cell(key)))
            except TextError as error:
                errors.append(row_error(number, COLUMNS[key][0], error.message))
                refused = True
        if refused:
            continue
        raw_id = cell_text(cell("id_number"))
        try:
            id_number = parse_id_number(raw_id, today=today).number
        except IdNumberError as error:
            errors.append(row_error(number, "身份证号", f"“{raw_id}”：{error.message}"))
            continue
        if id_number in seen:
            errors.append(row_error(number, "身份证号", f"{id_number}与第{seen[id_number]}行重复"))
            continue
        seen[id_number] = number
        member = {"row": number, "id_number": id_number}
        for key in ("name", "employer"):
            text = cell_text(cell(key))
            if len(text) > MAX_LENGTH[key]:
                errors.append(
                    row_error(number, COLUMNS[key][0], f"过长（最多{MAX_LENGTH[key]}个字）")
                )
            member[key] = text[: MAX_LENGTH[key]]
        try:
            since = parse_date(cell("since"))
        except (ValueError, TypeError):
            errors.append(
                row_error(
                    number,
                    "参保日期",
                    f"“{cell_text(cell('since'))}”不是日期（应为 2015-03-01 或 2015年3月1日）",
                )
            )
            since = None
        if since is not None and since > today:
            errors.append(row_error(number, "参保日期", f"{since:%Y-%m-%d}晚于今天"))
        elif since is not None and since.year < EARLIEST_YEAR:
            errors.append(row_error(number, "参保日期", f"{since:%Y-%m-%d}早于{EARLIEST_YEAR}年"))
        member["since"] = since
        members.append(member)
    return members, errors, count


def file_size(source) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    position = source.tell()
    size = source.seek(0, 2)
    source.seek(position)
    return size


def file_sha256(source) -> str:
    digest = hashlib.sha256()
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    position = source.tell()
    for block in iter(lambda: source.read(1 << 20), b""):
        digest.update(block)
    source.seek(position)
    return digest.hexdigest()

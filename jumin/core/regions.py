"""Loading the region tree: counties from python-stdnum's code list, townships and villages
from a spreadsheet. Both are idempotent (loading again changes nothing), both write in one
transaction with one audit entry per region created or changed plus one for the whole act.

- ``load_counties(province_or_county_codes=["341125"])`` creates 安徽省 → 滁州市 → 定远县.
  A province or city code loads every county under it that exists today.
- ``import_regions_file(path, acting_user=...)`` reads ``区划代码,名称[,生效日期,失效日期]``,
  checks every row first and writes nothing if any row is wrong.

The stdnum list gives names with the years they were in use, ``[1983-2001]东市区,[2002-]瑶海区``:
the region takes the name in use in the year asked for (the latest one if the code has since
been abolished), valid from 1 January of its first year and, for an abolished code, to
31 December of its last year.
"""

import datetime
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.models import AuditEntry, Region, RegionLevel
from jumin.core.registry import CoreAction
from jumin.core.tabular import Formula, TabularError, cell_text, read_rows
from jumin.core.text import TextError, check_text, is_ascii_digits

# --------------------------------------------------------------------------- names over time

NAME_PERIOD = re.compile(r"^(?:\[(?P<first>\d{4})?-(?P<last>\d{4})?\])?(?P<name>.+)$")


@dataclass(frozen=True)
class NamePeriod:
    name: str
    first_year: int | None = None
    last_year: int | None = None

    def covers(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


def parse_name_periods(text: str) -> list[NamePeriod]:
    """``"[1983-2001]东市区,[2002-]瑶海区"`` → two periods; a bare name is one open period."""
    periods = []
    for part in text.split(","):
        match = NAME_PERIOD.match(part.strip())
        if match is None:
            continue
        periods.append(
            NamePeriod(
                name=match["name"].strip(),
                first_year=int(match["first"]) if match["first"] else None,
                last_year=int(match["last"]) if match["last"] else None,
            )
        )
    return periods


def name_in_year(periods: list[NamePeriod], *, year: int) -> NamePeriod | None:
    """The period in force in ``year``, else the latest one (the code has been abolished)."""
    for period in periods:
        if period.covers(year):
            return period
    if not periods:
        return None
    return max(periods, key=lambda period: (period.last_year or 9999, period.first_year or 0))


def is_current(periods: list[NamePeriod], *, year: int) -> bool:
    return any(period.covers(year) for period in periods)


# --------------------------------------------------------------------------- stdnum's list


@dataclass(frozen=True)
class RegionRow:
    """What a region should look like; compared with the stored row field by field."""

    code: str
    name: str
    level: int
    parent_id: str | None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None

    def fields(self) -> dict:
        return {
            "name": self.name,
            "level": self.level,
            "parent_id": self.parent_id,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }


def county_list() -> dict[str, str]:
    """Six-digit code → name text with years, for every province, city and county in stdnum."""
    from stdnum import numdb

    entries = {}
    for _length, province, _high, properties, children in numdb.get("cn/loc").prefixes:
        entries[province + "0000"] = properties.get("province", "")
        for _child_length, low, _child_high, child_properties, _grand in children:
            if child_properties.get("county"):
                entries[province + low] = child_properties["county"]
    return entries


def level_of_six(code6: str) -> RegionLevel:
    if code6[2:] == "0000":
        return RegionLevel.PROVINCE
    if code6[4:] == "00":
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def normalise_county_prefix(code: str) -> str:
    """``341125``, ``341125000000``, ``3411``, ``341100``, ``34`` → the significant prefix.

    Raises ``ValidationError`` for anything that is not a province, city or county code.
    """
    text = str(code).strip()
    if len(text) == 12 and text.endswith("000000"):
        text = text[:6]
    if not is_ascii_digits(text) or len(text) not in (2, 4, 6):
        raise ValidationError(f"区划代码 {code} 应为2位（省）、4位（市）或6位（县）数字")
    while len(text) > 2 and text.endswith("00"):
        text = text[:-2]
    return text


def county_rows(prefixes: Iterable[str], *, year: int) -> list[RegionRow]:
    """The province, city and county rows that ``prefixes`` ask for, parents included.

    A province or city prefix brings every county under it that exists in ``year`` (the
    placeholder 市辖区 rows, which hold no townships, are left out); a county code asked for
    by itself is loaded even if it has been abolished.
    """
    entries = county_list()
    wanted: dict[str, bool] = {}  # six-digit code → asked for by itself
    for prefix in prefixes:
        matching = [code6 for code6 in entries if code6.startswith(prefix)]
        if not matching:
            raise ValidationError(f"区划代码 {prefix} 不在国家县级区划代码表中")
        for code6 in matching:
            explicit = len(prefix) == 6 or level_of_six(code6) < RegionLevel.COUNTY
            periods = parse_name_periods(entries[code6])
            if not explicit and not _worth_loading(code6, periods, year=year):
                continue
            wanted[code6] = wanted.get(code6, False) or explicit
            for ancestor in (code6[:2] + "0000", code6[:4] + "00"):
                if ancestor in entries and ancestor != code6:
                    wanted.setdefault(ancestor, True)
    rows = []
    for code6 in sorted(wanted):
        periods = parse_name_periods(entries[code6])
        chosen = name_in_year(periods, year=year)
        if chosen is None:
            continue
        rows.append(_row_from_stdnum(code6, periods, chosen, entries))
    return rows


def _worth_loading(code6: str, periods: list[NamePeriod], *, year: int) -> bool:
    if not is_current(periods, year=year):
        return False
    chosen = name_in_year(periods, year=year)
    return not (level_of_six(code6) == RegionLevel.COUNTY and chosen.name == "市辖区")


def _row_from_stdnum(
    code6: str, periods: list[NamePeriod], chosen: NamePeriod, entries
) -> RegionRow:
    level = level_of_six(code6)
    parent = None
    if level == RegionLevel.CITY:
        parent = code6[:2] + "0000"
    elif level == RegionLevel.COUNTY:
        parent = code6[:4] + "00" if code6[:4] + "00" in entries else code6[:2] + "0000"
    first_years = [period.first_year for period in periods]
    first = None if None in first_years else min(first_years)
    last_years = [period.last_year for period in periods]
    last = None if None in last_years else max(last_years)
    return RegionRow(
        code=code6 + "000000",
        name=chosen.name[:100],
        level=level,
        parent_id=parent + "000000" if parent else None,
        valid_from=datetime.date(first, 1, 1) if first else None,
        valid_to=datetime.date(last, 12, 31) if last else None,
    )


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def load_counties(
    *,
    province_or_county_codes: Iterable[str],
    acting_user=None,
    on: datetime.date | None = None,
) -> LoadResult:
    """Create or update the province, city and county rows for the codes given.

    ``acting_user`` ``None`` means the system (the CLI on a first install); a staff user
    needs ``region.manage`` and can only load their own county. Running it again changes
    nothing; a county renamed in a newer stdnum is updated and the rename audited.
    """
    year = (on or timezone.localdate()).year
    prefixes = [normalise_county_prefix(code) for code in province_or_county_codes]
    if acting_user is not None:
        require(acting_user, "region.manage")
        for prefix in prefixes:
            if not in_scope(acting_user, prefix.ljust(12, "0")):
                raise ValidationError(f"区划代码 {prefix} 不在您的管辖范围内")
    rows = county_rows(prefixes, year=year)
    if acting_user is not None:
        # Regions above the administrator's county are created if missing, never changed.
        stored = set(
            Region.objects.filter(code__in=[row.code for row in rows]).values_list(
                "code", flat=True
            )
        )
        rows = [row for row in rows if in_scope(acting_user, row.code) or row.code not in stored]
    with transaction.atomic():
        result = apply_rows(rows, acting_user=acting_user, keep_dates=False)
        audit.record(
            actor=acting_user,
            action=CoreAction.REGION_LOAD,
            object_type="core.region",
            object_label="国家县级区划代码表（python-stdnum）",
            region_code=covering_code(prefix.ljust(12, "0") for prefix in prefixes),
            after={
                "codes": prefixes,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


# --------------------------------------------------------------------------- writing rows


def apply_rows(rows: list[RegionRow], *, acting_user, keep_dates: bool) -> LoadResult:
    """Insert new regions and update changed ones in bulk, one audit entry per change.

    ``keep_dates`` leaves stored validity dates alone where the row has none (a file
    without the date columns must not erase dates typed in earlier). Call inside a
    transaction.
    """
    existing = Region.objects.in_bulk([row.code for row in rows])
    to_create, to_update, entries = [], [], []
    result = LoadResult(codes=[row.code for row in rows])
    for row in rows:
        wanted = row.fields()
        current = existing.get(row.code)
        if current is None:
            region = Region(code=row.code, **wanted)
            to_create.append(region)
            entries.append(_entry(acting_user, CoreAction.REGION_CREATE, region, None, wanted))
            continue
        if keep_dates:
            for name in ("valid_from", "valid_to"):
                if wanted[name] is None:
                    wanted[name] = getattr(current, name)
        stored = {name: getattr(current, name) for name in wanted}
        if stored == wanted:
            result.unchanged += 1
            continue
        before, after = audit.changes(stored, wanted)
        for name, value in wanted.items():
            setattr(current, name, value)
        to_update.append(current)
        entries.append(_entry(acting_user, CoreAction.REGION_UPDATE, current, before, after))
    Region.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Region.objects.bulk_update(
            to_update, ["name", "level", "parent", "valid_from", "valid_to"], batch_size=1000
        )
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _entry(acting_user, action: str, region: Region, before, after) -> AuditEntry:
    """An audit entry as ``audit.record`` would write it, for a bulk insert of many."""
    context = audit.current_context()
    known = acting_user is not None and getattr(acting_user, "is_authenticated", False)
    return AuditEntry(
        actor=acting_user if known else None,
        actor_name=(acting_user.get_username() if known else "system")[:150],
        action=action,
        object_type="core.region",
        object_id=region.code,
        object_label=f"{region.name}（{region.code}）"[:200],
        region_code=region.code,
        before=audit.jsonable(before) if before is not None else None,
        after=audit.jsonable(after),
        request_id=context.request_id,
        ip_address=context.ip_address,
    )


def covering_code(codes: Iterable[str]) -> str:
    """The code of the smallest region that contains every code given (for audit scoping)."""
    codes = [code for code in codes if code]
    if not codes:
        return ""
    common = os.path.commonprefix(codes)
    length = max((size for size in (2, 4, 6, 9, 12) if size <= len(common)), default=0)
    return common[:length].ljust(12, "0") if length else ""


# --------------------------------------------------------------------------- file import

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
class _Parsed:
    row: int
    code: str
    name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


def import_regions_file(
    path: str | Path | BinaryIO, *, acting_user, file_name: str = ""
) -> ImportResult:
    """Townships and villages from ``.xlsx``/``.csv`` (UTF-8 or GB18030); all or nothing.

    Each row: a 12-digit code (3 township digits and 3 village digits after the county's
    six; a township ends in ``000``), a name, optional validity dates. Level and parent
    follow from the code. Errors name the row and column; nothing is written if there are
    any (a control character in a name is such an error, ``core.text.check_text``).
    ``acting_user`` ``None`` is the system (CLI): no scope limit. A file with more than
    ``JUMIN_REGION_IMPORT_MAX_ROWS`` rows is refused as a whole.
    """
    if acting_user is not None:
        require(acting_user, "region.manage")
    result = ImportResult()
    try:
        parsed, has_dates = _parse_file(path, acting_user, result)
    except TabularError as error:
        result.errors.append(RowError(0, "文件", error.message))
        return result
    if result.errors:
        return result
    rows = [
        RegionRow(
            code=item.code,
            name=item.name,
            level=_level_of(item.code),
            parent_id=_parent_of(item.code),
            valid_from=item.valid_from,
            valid_to=item.valid_to,
        )
        for item in sorted(parsed, key=lambda item: item.code)
    ]
    with transaction.atomic():
        applied = apply_rows(rows, acting_user=acting_user, keep_dates=not has_dates)
        result.created, result.updated, result.unchanged = (
            applied.created,
            applied.updated,
            applied.unchanged,
        )
        audit.record(
            actor=acting_user,
            action=CoreAction.REGION_IMPORT,
            object_type="core.region",
            object_label=(file_name or str(getattr(path, "name", path)))[-200:],
            region_code=covering_code(item.code for item in parsed),
            after={
                "file": file_name or str(getattr(path, "name", path))[-200:],
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def _level_of(code: str) -> RegionLevel:
    return RegionLevel.TOWNSHIP if code.endswith("000") else RegionLevel.VILLAGE


def _parent_of(code: str) -> str:
    if _level_of(code) == RegionLevel.TOWNSHIP:
        return code[:6] + "000000"
    return code[:9] + "000"


def _parse_file(path, acting_user, result: ImportResult) -> tuple[list[_Parsed], bool]:
    from django.conf import settings

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
    parsed: list[_Parsed] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        result.rows += 1
        item = _parse_row(number, cells, columns, acting_user, first_row_of, result)
        if item is not None:
            parsed.append(item)
    if not parsed and not result.errors:
        raise TabularError("文件中只有表头，没有数据行")
    _check_parents(parsed, result)
    return parsed, "valid_from" in columns or "valid_to" in columns


def _cell(cells: list, columns: dict, key: str):
    index = columns.get(key)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _parse_row(number, cells, columns, acting_user, first_row_of, result) -> _Parsed | None:
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
    elif acting_user is not None and not in_scope(acting_user, code):
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
    return _Parsed(number, code, name, valid_from, valid_to)


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


def _check_parents(parsed: list[_Parsed], result: ImportResult) -> None:
    """A township's county must be loaded; a village's township loaded or in the file."""
    townships_in_file = {
        item.code for item in parsed if _level_of(item.code) == RegionLevel.TOWNSHIP
    }
    parents = {_parent_of(item.code) for item in parsed}
    known = set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
    keep = []
    for item in parsed:
        parent = _parent_of(item.code)
        if _level_of(item.code) == RegionLevel.TOWNSHIP and parent not in known:
            result.errors.append(
                RowError(
                    item.row,
                    "区划代码",
                    f"所属县（区）{parent} 尚未载入；请先载入本县："
                    f"jumin load-regions --county {parent[:6]}",
                )
            )
        elif (
            _level_of(item.code) == RegionLevel.VILLAGE
            and parent not in known
            and parent not in townships_in_file
        ):
            result.errors.append(
                RowError(
                    item.row,
                    "区划代码",
                    f"所属乡镇（街道）{parent} 不存在：系统和文件中都没有这个乡镇，请先在文件中加上它",
                )
            )
        else:
            keep.append(item)
    parsed[:] = keep
    result.errors.sort(key=lambda error: error.row)

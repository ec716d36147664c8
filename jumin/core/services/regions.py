"""Loading the region tree: counties from the national code list (python-stdnum), townships
and villages from a county's file. Both are idempotent (loading again changes nothing), both
write in one transaction with one audit entry per region created or changed plus one for the
whole act.

- ``load_counties(province_or_county_codes=["341125"])`` creates 安徽省 → 滁州市 → 定远县.
  A province or city code loads every county under it that exists today.
- ``import_regions_file(path, acting_user=...)`` reads ``区划代码,名称[,生效日期,失效日期]``
  (``jumin.core.formats.region_file``), checks every row first and writes nothing if any row
  is wrong.
"""

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import in_scope, require, require_in_scope
from jumin.core.formats.county_list import RegionRow, county_rows
from jumin.core.formats.region_file import (
    ImportResult,
    ParsedRow,
    RowError,
    level_of,
    parent_of,
    parse_file,
)
from jumin.core.models import AuditEntry, Region, RegionLevel
from jumin.core.registry import CoreAction
from jumin.core.tabular import TabularError
from jumin.core.text import is_ascii_digits


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
    needs ``region.manage`` and can only load their own county (another one: 404). Running it again changes
    nothing; a county renamed in a newer stdnum is updated and the rename audited.
    """
    year = (on or timezone.localdate()).year
    prefixes = [normalise_county_prefix(code) for code in province_or_county_codes]
    if acting_user is not None:
        require(acting_user, "region.manage")
        for prefix in prefixes:
            require_in_scope(acting_user, prefix.ljust(12, "0"))
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
        parsed, has_dates = parse_file(
            path,
            may_import=lambda code: acting_user is None or in_scope(acting_user, code),
            result=result,
        )
        _check_parents(parsed, result)
    except TabularError as error:
        result.errors.append(RowError(0, "文件", error.message))
        return result
    if result.errors:
        return result
    rows = [
        RegionRow(
            code=item.code,
            name=item.name,
            level=level_of(item.code),
            parent_id=parent_of(item.code),
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


def _check_parents(parsed: list[ParsedRow], result: ImportResult) -> None:
    """A township's county must be loaded; a village's township loaded or in the file."""
    townships_in_file = {
        item.code for item in parsed if level_of(item.code) == RegionLevel.TOWNSHIP
    }
    parents = {parent_of(item.code) for item in parsed}
    known = set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
    keep = []
    for item in parsed:
        parent = parent_of(item.code)
        if level_of(item.code) == RegionLevel.TOWNSHIP and parent not in known:
            result.errors.append(
                RowError(
                    item.row,
                    "区划代码",
                    f"所属县（区）{parent} 尚未载入；请先载入本县："
                    f"jumin load-regions --county {parent[:6]}",
                )
            )
        elif (
            level_of(item.code) == RegionLevel.VILLAGE
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

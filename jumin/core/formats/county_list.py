"""The national county code list as python-stdnum ships it, read into region rows.

The list gives names with the years they were in use, ``[1983-2001]东市区,[2002-]瑶海区``:
the region takes the name in use in the year asked for (the latest one if the code has since
been abolished), valid from 1 January of its first year and, for an abolished code, to
31 December of its last year.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from jumin.core.models import RegionLevel

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


# --------------------------------------------------------------------------- rows


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

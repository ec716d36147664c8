"""Roster files for tests and benchmarks: rows with valid ID numbers, written as CSV or xlsx."""

import csv
import datetime
from pathlib import Path

from jumin.people.formats.roster_columns import COLUMNS
from jumin.people.rules import check_character

HEADERS = [header for _, header in COLUMNS]


def id_number_for(sequence: int, *, birth_date: datetime.date, sex: str = "male") -> str:
    """A valid ID number in county 341125; ``sequence`` 0..499 picks the order code."""
    order = (sequence % 500) * 2 + (1 if sex == "male" else 0)
    first17 = f"341125{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def roster_row(
    sequence: int,
    *,
    village: str = "341125100001",
    name: str | None = None,
    sex: str = "male",
    birth_date: datetime.date | None = None,
    **values,
) -> dict[str, str]:
    """One good row as {canonical header: text}; ``sequence`` makes the ID number unique."""
    birth_date = birth_date or datetime.date(1950, 1, 1) + datetime.timedelta(days=sequence // 400)
    by_field = {
        "id_number": id_number_for(sequence % 400, birth_date=birth_date, sex=sex),
        "name": name if name is not None else f"张{'伟芳娜敏静丽强磊军洋'[sequence % 10]}",
        "sex": "男" if sex == "male" else "女",
        "birth_date": birth_date.isoformat(),
        "village_id": village,
        "household_number": f"{sequence // 3 + 1:04d}",
        "relation_to_head": "户主" if sequence % 3 == 0 else "子女",
        "hukou_type": "农业",
        "phone": f"139{sequence:08d}",
        "passbook_number": f"62284800{sequence:08d}",
    }
    # every column of the roster, blank unless given above or in ``values``
    row = {header: by_field.get(field, "") for field, header in COLUMNS}
    row.update(values)
    return row


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", headers=None) -> Path:
    headers = list(headers or HEADERS)
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(header, "") for header in headers])
    return path


def write_xlsx(path: Path, rows: list[dict], *, headers=None, before: list | None = None) -> Path:
    """An .xlsx with ``before`` rows (e.g. a title) above the header; text cells stay text."""
    from openpyxl import Workbook

    headers = list(headers or HEADERS)
    workbook = Workbook()
    sheet = workbook.active
    for line in before or []:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    workbook.save(path)
    return path

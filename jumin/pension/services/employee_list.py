"""Import of the employee pension scheme's member list (职工养老保险参保名单), POLICY §2.1.

The file is read and every row checked first (``jumin.pension.formats.employee_list``); a
file with any bad row is refused whole. A good file is upserted by ID number in chunks
(set-based); importing the same file again changes nothing. One audit entry per import that
changed something.

Limits (docs/formats/limits.md): a file over ``JUMIN_EMPLOYEE_LIST_MAX_BYTES`` is refused before
it is read, one over ``JUMIN_EMPLOYEE_LIST_MAX_ROWS`` rows when the reading reaches the limit,
an ``.xlsx`` that unpacks too big before a row is read.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.models import Region
from jumin.core.tabular import TabularError
from jumin.core.uploads import size_text
from jumin.pension.formats.employee_list import (
    FIELDS,
    file_sha256,
    file_size,
    read_members,
    row_error,
)
from jumin.pension.models import EmployeeSchemeMember
from jumin.pension.registry import PensionAction

CHUNK = 1000


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    file_sha256: str = ""

    @property
    def imported(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"名单有{len(self.errors)}处错误，未导入任何数据"
        return (
            f"共{self.rows}行：新增{self.created}人，更新{self.updated}人，未变{self.unchanged}人"
        )


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_employee_list(
    source: str | Path | BinaryIO,
    *,
    acting_user,
    region_code: str,
    file_name: str = "",
    progress=None,
) -> ImportResult:
    """Check the whole file, then upsert it by ID number. ``acting_user`` None = a system run
    from the CLI. A file with errors writes nothing (``result.errors`` says why)."""
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        return ImportResult(errors=[row_error(None, "", f"没有这个区划代码：{region_code}")])
    if acting_user is not None:
        require(acting_user, "employee_list.import")
        if not in_scope(acting_user, region.code):
            return ImportResult(errors=[row_error(None, "", "区划不在您的管辖范围内")])
    limit = settings.JUMIN_EMPLOYEE_LIST_MAX_BYTES
    if file_size(source) > limit:
        return ImportResult(
            errors=[row_error(None, "", f"文件过大（最大 {size_text(limit)}），请分成几个文件导入")]
        )
    result = ImportResult(file_sha256=file_sha256(source))
    today = timezone.localdate()
    if progress is not None:
        progress.start(0, "检查名单")
    try:
        members, errors, result.rows = read_members(source, today=today)
    except TabularError as error:
        result.errors = [row_error(None, "", error.message)]
        if progress is not None:
            progress.fail(error.message)
        return result
    if errors:
        result.errors = errors
        if progress is not None:
            progress.fail(result.summary())
        return result
    if progress is not None:
        progress.start(len(members), "写入名单")
    source_name = (file_name or (Path(source).name if isinstance(source, str | Path) else ""))[:200]
    now = timezone.now()
    with transaction.atomic():
        for chunk in _chunks(members, CHUNK):
            stored = {
                member.id_number: member
                for member in EmployeeSchemeMember.objects.filter(
                    id_number__in=[row["id_number"] for row in chunk]
                )
            }
            new, changed = [], []
            for row in chunk:
                member = stored.get(row["id_number"])
                if member is None:
                    new.append(
                        EmployeeSchemeMember(
                            id_number=row["id_number"],
                            region=region,
                            source=source_name,
                            imported_at=now,
                            **{key: row[key] for key in FIELDS},
                        )
                    )
                elif any(getattr(member, key) != row[key] for key in FIELDS) or (
                    member.region_id != region.code
                ):
                    for key in FIELDS:
                        setattr(member, key, row[key])
                    member.region = region
                    member.source = source_name
                    member.imported_at = now
                    changed.append(member)
            EmployeeSchemeMember.objects.bulk_create(new)
            EmployeeSchemeMember.objects.bulk_update(
                changed, [*FIELDS, "region", "source", "imported_at"]
            )
            result.created += len(new)
            result.updated += len(changed)
            result.unchanged += len(chunk) - len(new) - len(changed)
            if progress is not None:
                progress.advance(len(chunk))
        if result.created or result.updated:
            audit.record(
                actor=acting_user,
                action=PensionAction.EMPLOYEE_LIST_IMPORT,
                object_type="pension.employeeschememember",
                object_id=result.file_sha256[:16],
                object_label=f"职工养老保险参保名单 {source_name}"[:200],
                region_code=region.code,
                after={
                    "file_sha256": result.file_sha256,
                    "file_name": source_name,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    if progress is not None:
        progress.finish(
            {
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            result.summary(),
        )
    return result

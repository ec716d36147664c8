"""One roster import from start to end: read and check every row, then write in one transaction.

Phase 1 (outside the write transaction, so the progress is visible to the page polling it):
read the file, check each row, put the rows with a readable ID number into the staging table.
Phase 2 (one transaction): find duplicates and IDs registered outside the scope, then either
write nothing (all-or-nothing with errors) or write the good rows, set-based, with their audit
entries and the ``roster.import`` entry.
"""

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.jobs import Progress
from jumin.core.models import JobRun, JobStatus, Region, RegionLevel
from jumin.people.formats.roster import FileFacts, FileRefused, file_facts, open_roster
from jumin.people.formats.roster_columns import FIELDS, HEADER_FOR
from jumin.people.formats.roster_rows import RowChecker
from jumin.people.formats.roster_workbooks import errors_path, write_errors_workbook
from jumin.people.models import RosterImport
from jumin.people.registry import PeopleAction
from jumin.people.services import roster_import_sql

logger = logging.getLogger(__name__)

CHUNK_ROWS = 20_000
CHECK_STAGE = "检查数据"
WRITE_STAGE = "写入数据库"
ERRORS_KEPT_IN_RECORD = 200
JOB_KIND = "roster_import"

OUTCOME_IMPORTED = "imported"
OUTCOME_REJECTED = "rejected"  # all-or-nothing with errors: nothing written
OUTCOME_REFUSED = "refused"  # the file itself could not be read
DUPLICATE_MESSAGE = "身份证号在文件中重复（第{rows}行）"
_COLUMN_ORDER = {HEADER_FOR[field_name]: index for index, field_name in enumerate(FIELDS)}


@dataclass
class Outcome:
    """What one import found and did; becomes the RosterImport counts and the job result."""

    kind: str = OUTCOME_IMPORTED
    encoding: str = ""
    rows_total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    households_added: int = 0
    bad_rows: set = field(default_factory=set)
    errors: list = field(default_factory=list)
    ignored_headers: list = field(default_factory=list)

    def reject_row(self, row: int, column: str, value: str, message: str) -> None:
        self.bad_rows.add(row)
        self.errors.append((row, column, value, message))


def import_roster_file(
    path: Path,
    *,
    acting_user,
    region,
    mode: str,
    progress: Progress | None = None,
    file_name: str | None = None,
    facts: FileFacts | None = None,
) -> RosterImport:
    """Import a roster file now, in this process, and return its RosterImport with the counts.

    ``acting_user`` None is a system import (CLI, benchmark) limited to ``region``. With a
    user, ``region`` defaults to the user's and must lie in the user's scope. A ``progress``
    given by the caller (``jumin.core.jobs.leased``) supplies the JobRun; otherwise one is
    made. ``facts`` saves a second reading when the caller has hashed the file already.
    """
    path = Path(path)
    mode = RosterImport.Mode(mode)
    region = _import_region(acting_user, region)
    facts = facts or file_facts(path)
    if progress is None or RosterImport.objects.filter(job=progress.run).exists():
        # a run already used by another import is not reused: each import has its own
        run = JobRun.objects.create(
            kind=JOB_KIND, region=region, created_by=_known(acting_user), status=JobStatus.QUEUED
        )
        progress = Progress(run)
    roster_import = RosterImport.objects.create(
        job=progress.run,
        region=region,
        file_name=(file_name or path.name)[:255],
        file_sha256=facts.sha256,
        stored_path=str(path.resolve())[:500],
        mode=mode,
        created_by=_known(acting_user),
    )
    context = audit.current_context()
    with audit.request_context(context.request_id or uuid.uuid4().hex, context.ip_address):
        run_import(roster_import, acting_user=acting_user, progress=progress, facts=facts)
    return roster_import


def run_import(
    roster_import: RosterImport, *, acting_user, progress: Progress, facts: FileFacts | None = None
) -> Outcome:
    """Do the import described by ``roster_import``; the job ends DONE or FAILED, never hangs."""
    path = Path(roster_import.stored_path)
    try:
        _import_region(acting_user, roster_import.region)
        facts = facts or file_facts(path)
        outcome = _read_check_and_write(roster_import, acting_user, progress, path, facts)
    except PermissionDenied:
        progress.fail("您没有导入花名册的权限，或这个区域不在您的管辖范围内；没有写入任何数据。")
        raise
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("roster import %s failed (%s)", roster_import.pk, reference)
        progress.fail(f"导入时发生系统错误，没有写入任何数据。请联系管理员（编号 {reference}）。")
        raise
    if outcome.errors:
        write_errors_workbook(
            errors_path(roster_import.pk),
            outcome.errors,
            title=summary_text(outcome),
        )
    progress.finish(result=result_of(outcome), message=summary_text(outcome))
    return outcome


def _import_region(acting_user, region) -> Region:
    if acting_user is not None:
        require(acting_user, "roster.import")
        region = region or acting_user.region
        if region is None or not in_scope(acting_user, region.code):
            raise PermissionDenied("region outside the importer's scope")
    if region is None:
        raise ValueError("a system import needs a region")
    return region


def _known(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --------------------------------------------------------------------------- phase 1


def _read_check_and_write(roster_import, acting_user, progress, path, facts) -> Outcome:
    outcome = Outcome()
    region = roster_import.region
    roster_import_sql.staging_create()
    try:
        try:
            source = open_roster(path, file_name=roster_import.file_name, facts=facts)
            outcome.encoding = source.encoding
            outcome.ignored_headers = source.ignored_headers
            progress.start(total=source.estimated_rows, stage=CHECK_STAGE)
            _check_rows(source, region, progress, outcome)
        except FileRefused as refused:
            outcome.kind = OUTCOME_REFUSED
            outcome.errors = [(refused.row, "", "", refused.message)]
            outcome.rows_total = 0
            with transaction.atomic():
                _finish_record(roster_import, acting_user, outcome)
            return outcome
        progress.start(total=0, stage=WRITE_STAGE)
        _write(roster_import, acting_user, region, outcome)
    finally:
        roster_import_sql.staging_drop()
    return outcome


def _check_rows(source, region: Region, progress: Progress, outcome: Outcome) -> None:
    villages = Region.objects.filter(
        level=RegionLevel.VILLAGE, code__startswith=region.prefix
    ).values_list("code", flat=True)
    check = RowChecker(
        columns=source.columns, villages=list(villages), on=timezone.localdate()
    ).check
    batch: list[tuple] = []
    errors = outcome.errors
    bad_rows = outcome.bad_rows
    seen = 0
    counted = 0
    for number, cells, problems in source.rows:
        row, listed = check(number, cells, problems)
        if row is not None:
            batch.append(row)
        elif not listed:
            continue  # a blank row
        if listed:
            bad_rows.add(number)
            errors.extend(listed)
        seen += 1
        if len(batch) >= CHUNK_ROWS or seen - counted >= CHUNK_ROWS:
            _stage(batch)
            batch = []
            progress.advance(seen - counted)
            counted = seen
    _stage(batch)
    progress.advance(seen - counted)
    outcome.rows_total = seen
    roster_import_sql.staging_ready()


def _stage(batch: list[tuple]) -> None:
    if batch:
        with transaction.atomic():
            roster_import_sql.staging_write(batch)


# --------------------------------------------------------------------------- phase 2


def _write(roster_import, acting_user, region: Region, outcome: Outcome) -> None:
    with transaction.atomic():
        for row, id_number, rows in roster_import_sql.duplicate_rows():
            listed = "、".join(str(number) for number in rows[:10])
            if len(rows) > 10:
                listed += f"等{len(rows)}"
            outcome.reject_row(
                row, HEADER_FOR["id_number"], id_number, DUPLICATE_MESSAGE.format(rows=listed)
            )
        for row, id_number in roster_import_sql.match_persons(region.prefix):
            outcome.reject_row(
                row, HEADER_FOR["id_number"], id_number, roster_import_sql.OUT_OF_SCOPE_MESSAGE
            )
        outcome.errors.sort(key=lambda error: (error[0] or 0, _COLUMN_ORDER.get(error[1], 99)))
        mode = roster_import.mode
        if outcome.bad_rows and mode == RosterImport.Mode.ALL_OR_NOTHING:
            outcome.kind = OUTCOME_REJECTED
        else:
            counts = roster_import_sql.apply_staged_rows(
                audit=_audit_facts(acting_user, roster_import)
            )
            outcome.added = counts.added
            outcome.updated = counts.updated
            outcome.households_added = counts.households_added
            outcome.unchanged = roster_import_sql.count_ok() - counts.added - counts.updated
        _finish_record(roster_import, acting_user, outcome)


def _audit_facts(acting_user, roster_import) -> roster_import_sql.AuditFacts:
    context = audit.current_context()
    known = _known(acting_user)
    return roster_import_sql.AuditFacts(
        at=timezone.now(),
        actor_id=known.pk if known else None,
        actor_name=(known.get_username() if known else "system")[:150],
        request_id=context.request_id,
        ip_address=context.ip_address,
        reason=f"花名册导入 #{roster_import.pk}：{roster_import.file_name}"[:500],
        roster_import_id=roster_import.pk,
    )


def _finish_record(roster_import: RosterImport, acting_user, outcome: Outcome) -> None:
    """The counts on the RosterImport and the ``roster.import`` audit entry, in the caller's
    transaction (the write's, when rows were written)."""
    roster_import.rows_total = outcome.rows_total
    roster_import.rows_added = outcome.added
    roster_import.rows_updated = outcome.updated
    roster_import.rows_unchanged = outcome.unchanged
    roster_import.rows_rejected = len(outcome.bad_rows)
    roster_import.errors = [
        {"row": row, "column": column, "value": value, "message": message}
        for row, column, value, message in outcome.errors[:ERRORS_KEPT_IN_RECORD]
    ]
    roster_import.save(
        update_fields=[
            "rows_total",
            "rows_added",
            "rows_updated",
            "rows_unchanged",
            "rows_rejected",
            "errors",
        ]
    )
    audit.record(
        actor=acting_user,
        action=PeopleAction.ROSTER_IMPORT_RUN,
        obj=roster_import,
        object_label=roster_import.file_name,
        after={
            "file_name": roster_import.file_name,
            "sha256": roster_import.file_sha256,
            "mode": roster_import.mode,
            **result_of(outcome),
        },
    )


# --------------------------------------------------------------------------- summary


def result_of(outcome: Outcome) -> dict:
    return {
        "outcome": outcome.kind,
        "encoding": outcome.encoding,
        "rows_total": outcome.rows_total,
        "added": outcome.added,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "rejected": len(outcome.bad_rows),
        "households_added": outcome.households_added,
        "errors": len(outcome.errors),
        "ignored_columns": outcome.ignored_headers,
    }


def summary_text(outcome: Outcome) -> str:
    return summary_from_result(result_of(outcome), first_error=_first_error(outcome))


def _first_error(outcome: Outcome) -> str:
    if outcome.kind == OUTCOME_REFUSED and outcome.errors:
        return outcome.errors[0][3]
    return ""


def summary_from_result(result: dict, *, first_error: str = "") -> str:
    """The one-paragraph Chinese summary shown on the page, in the CLI and in the API."""
    kind = result.get("outcome")
    if kind == OUTCOME_REFUSED:
        return f"文件无法导入：{first_error}。没有写入任何数据。"
    parts = [
        f"共 {result['rows_total']} 行：新增 {result['added']} 人，更新 {result['updated']} 人，"
        f"未变 {result['unchanged']} 人，有错误 {result['rejected']} 行。"
    ]
    if kind == OUTCOME_REJECTED:
        parts.append("按“全部正确才导入”的方式，因为有错误，没有导入任何数据；请改正后重新导入。")
    elif result["rejected"]:
        parts.append("有错误的行没有导入，其余各行已导入。")
    if result.get("households_added"):
        parts.append(f"新建户 {result['households_added']} 个。")
    if result.get("encoding"):
        parts.append(f"文件编码：{result['encoding']}。")
    if result.get("ignored_columns"):
        parts.append(f"以下列未导入：{'、'.join(result['ignored_columns'])}。")
    return "".join(parts)

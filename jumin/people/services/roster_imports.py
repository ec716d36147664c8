"""Handing in a roster from the web or the API: store the file, start (or find) its import.

A file handed in again — same content (SHA-256), same region, same mode — while its earlier
import is queued, running or done returns that earlier import instead of starting a second
job, so a retry after a dropped connection never imports twice (two at the same moment
make one: ``JobRun``'s unique key while queued or running). A failed import, or one whose
worker died (jumin.core.jobs), may be started again.
"""

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jumin.core import audit, jobs
from jumin.core.access import require
from jumin.core.models import ACTIVE_JOB_STATUSES, JobRun, JobStatus
from jumin.core.tabular import XLSX_MAGIC, TabularError, check_workbook, too_many_rows_message
from jumin.core.text import export_text
from jumin.people.formats.roster import ACCEPTED_SUFFIXES
from jumin.people.models import RosterImport
from jumin.people.registry import PeopleAction
from jumin.people.services.roster_import_batch import JOB_KIND

CHUNK_BYTES = 1 << 20


def natural_key(*, region_code: str, mode: str, sha256: str) -> str:
    return f"{JOB_KIND}:{region_code}:{mode}:{sha256}"


def check_upload(*, file_name: str, size: int | None) -> None:
    """The refusals that need no reading of the file: wrong kind by name, empty, too big."""
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ValidationError(
            {"file": f"不支持“{suffix or '无扩展名'}”文件：只能导入 .xlsx 或 .csv 文件"}
        )
    if not size:
        raise ValidationError({"file": "文件是空的"})
    limit = settings.JUMIN_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {"file": f"文件过大（最大 {limit // (1024 * 1024)} MB），请分成几个文件导入"}
        )


def check_content(partial: Path, *, line_count: int) -> None:
    """The refusals that need a glance at the file, not a reading: too many lines (CSV), an
    ``.xlsx`` that would unpack too big (its zip directory only)."""
    with open(partial, "rb") as handle:
        is_workbook = handle.read(len(XLSX_MAGIC)) == XLSX_MAGIC
    try:
        if is_workbook:
            check_workbook(partial)
        elif line_count > settings.JUMIN_IMPORT_MAX_ROWS:
            raise TabularError(too_many_rows_message(settings.JUMIN_IMPORT_MAX_ROWS))
    except TabularError as error:
        raise ValidationError({"file": error.message}) from None


def store_upload(upload) -> tuple[Path, str]:
    """Write the uploaded file under MEDIA_ROOT/imports/, named by its SHA-256.

    A file refused by ``check_content`` is not kept."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    line_count = 0
    partial = folder / f"upload-{uuid.uuid4().hex}.part"
    try:
        with open(partial, "wb") as handle:
            for chunk in upload.chunks(CHUNK_BYTES):
                digest.update(chunk)
                line_count += chunk.count(b"\n")
                handle.write(chunk)
        check_content(partial, line_count=line_count)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sha256 = digest.hexdigest()
    stored = folder / f"{sha256}{Path(upload.name or '').suffix.lower()}"
    partial.replace(stored)
    return stored, sha256


def upload_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def waiting_imports(acting_user) -> list[RosterImport]:
    """The user's roster imports that are queued or running (in a live process), oldest
    first: a run whose worker died does not hold the user's place."""
    candidates = (
        RosterImport.objects.select_related("job")
        .filter(created_by=acting_user, job__kind=JOB_KIND, job__status__in=ACTIVE_JOB_STATUSES)
        .order_by("created_at", "pk")
    )
    return [item for item in candidates if not item.job.is_dead]


def check_waiting(acting_user) -> None:
    """Refuse a new import while the user has ``JUMIN_IMPORTS_WAITING_PER_USER`` waiting, so
    one clerk cannot fill the queue; the message names the waiting ones."""
    limit = settings.JUMIN_IMPORTS_WAITING_PER_USER
    waiting = waiting_imports(acting_user)
    if len(waiting) < limit:
        return
    names = "、".join(
        f"#{item.pk}“{item.file_name}”（{JobStatus(item.job.status).label}）" for item in waiting
    )
    raise ValidationError(
        {
            "file": f"您已有 {len(waiting)} 个花名册导入在排队或进行中：{names}。"
            f"每人同时最多 {limit} 个，请等其中一个完成后再导入新的文件。"
        }
    )


def roster_import_submit(*, acting_user, upload, mode: str) -> tuple[RosterImport, bool]:
    """Store the file and queue its import; (the import, whether it was started now)."""
    require(acting_user, "roster.import")
    if mode not in RosterImport.Mode.values:
        raise ValidationError({"mode": "请选择导入方式"})
    region = acting_user.region
    if region is None:
        raise ValidationError({"file": "您的账号还没有分配管辖区域，不能导入"})
    check_upload(file_name=upload.name, size=upload.size)
    if len(waiting_imports(acting_user)) >= settings.JUMIN_IMPORTS_WAITING_PER_USER:
        # the same file again still answers its earlier import; anything else is refused
        # before the file is even stored
        key = natural_key(region_code=region.code, mode=mode, sha256=upload_sha256(upload))
        earlier = _earlier(key)
        if earlier is not None:
            return earlier, False
        check_waiting(acting_user)
    stored, sha256 = store_upload(upload)
    key = natural_key(region_code=region.code, mode=mode, sha256=sha256)
    earlier = _earlier(key)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            # one user's submissions one at a time, so two at once cannot both pass the limit
            get_user_model().objects.select_for_update().filter(pk=acting_user.pk).first()
            check_waiting(acting_user)
            _replace_dead(key, acting_user)
            roster_import = _create(acting_user, region, upload.name, stored, sha256, mode, key)
    except IntegrityError:  # the same file handed in twice at the same moment: one wins
        earlier = _earlier(key)
        if earlier is None:
            raise
        return earlier, False
    return roster_import, True


def _earlier(key: str) -> RosterImport | None:
    """The import a new one of the same file would repeat: done, or queued or running in a
    live process. A failed or interrupted one is not repeated, nor a dead one (which
    ``_replace_dead`` marks interrupted)."""
    candidates = (
        RosterImport.objects.select_related("job")
        .filter(job__natural_key=key, job__status__in=[JobStatus.DONE, *ACTIVE_JOB_STATUSES])
        .order_by("-job__created_at")
    )
    return next((item for item in candidates if not item.job.is_dead), None)


def _replace_dead(key: str, acting_user) -> None:
    """Free the file's key from an import whose worker died (audited), so it can run again."""
    dead = jobs.active_run(JOB_KIND, key)
    if dead is not None and jobs.run_is_dead(dead):
        jobs.interrupt(dead, acting_user=acting_user)


def _create(acting_user, region, file_name, stored, sha256, mode, key) -> RosterImport:
    from jumin.people.jobs import run_roster_import

    context = audit.current_context()
    run = JobRun.objects.create(
        kind=JOB_KIND,
        natural_key=key,
        region=region,
        created_by=acting_user,
        params={"request_id": context.request_id, "ip_address": context.ip_address},
    )
    roster_import = RosterImport.objects.create(
        job=run,
        region=region,
        file_name=export_text(Path(file_name or "").name, multiline=False)[:255] or stored.name,
        file_sha256=sha256,
        stored_path=str(stored),
        mode=mode,
        created_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action=PeopleAction.ROSTER_IMPORT_SUBMIT,
        obj=roster_import,
        object_label=roster_import.file_name,
        after={"file_name": roster_import.file_name, "sha256": sha256, "mode": mode},
    )
    transaction.on_commit(lambda: run_roster_import.enqueue(roster_import.pk))
    return roster_import

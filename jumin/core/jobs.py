"""Plumbing for long operations: submission by natural key, a lease while running, progress.

**Submission.** ``submit`` queues a task for a piece of work named by ``(kind, natural_key)``
(a county's dues for a year, one roster file): while a run of it is queued or running, the
same start returns that run. The database decides — a partial unique index on
``(kind, natural_key)`` for queued and running rows — so two starts at the same moment make
one run on SQLite and PostgreSQL alike. ``start_here`` does the same for a run that this
process does in the foreground (the CLI); it refuses while another live run holds the key.

**Lease.** A running job names its process in ``JobRun.worker`` (host:pid) and refreshes
``heartbeat_at`` from a small thread with its own connection, so the lease stays fresh during
one long statement too. A run is dead when its process is gone: on the same machine that is
checked directly (the process id and its start time), elsewhere the heartbeat must be younger
than ``JUMIN_JOB_LEASE_SECONDS``. Pages and the API show a dead run as interrupted (中断);
starting the same work again marks it interrupted (audited) and queues a run that resumes,
which is safe because every job is idempotent. A process whose run was taken from it (its
lease lapsed while it was cut off) stops at its next progress report instead of working on
beside the new run.

**Progress.** A job body receives a ``Progress`` and calls ``progress.advance(n)``; from the
web it runs in the worker (``jumin worker``) as a django-tasks task, from the CLI in-process
with a tqdm bar. Progress writes are throttled so a million-row job does not write a million
times.

**Queues.** Imports a township hands in run on the ``imports`` queue, county-wide jobs (dues,
posting, later payroll) on ``county``, so a county job never waits behind an import; a
worker serves every queue unless told one (``jumin worker --queue-name county``).
"""

import contextlib
import datetime
import functools
import hashlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from jumin.core.models import ACTIVE_JOB_STATUSES, JobRun, JobStatus
from jumin.core.registry import CoreAction

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
IMPORTS_QUEUE = "imports"
COUNTY_QUEUE = "county"
QUEUES = (DEFAULT_QUEUE, IMPORTS_QUEUE, COUNTY_QUEUE)

DEFAULT_LEASE_SECONDS = 180
INTERRUPTED_MESSAGE = (
    "处理这个任务的进程已停止（{worker}），任务中断；重新开始会接着完成剩下的部分。"
)


class JobBusy(Exception):
    """A live run already holds the natural key (``start_here``)."""

    def __init__(self, run: JobRun):
        super().__init__(f"job {run.pk} holds {run.kind} {run.natural_key}")
        self.run = run

    @property
    def message(self) -> str:
        where = f"，由 {self.run.worker} 运行" if self.run.worker else ""
        return (
            f"同样的工作正在进行（任务 {self.run.pk}，{self.run.shown_status_label}{where}），"
            "请等它结束后再运行"
        )


class JobLeaseLost(Exception):
    """This process no longer holds its run: it was declared dead and replaced."""


# --------------------------------------------------------------------------- the lease


def lease_seconds() -> float:
    return float(getattr(settings, "JUMIN_JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def heartbeat_seconds() -> float:
    """How often a running job refreshes its lease: six beats per lease, so a few missed
    beats (a locked SQLite file, a busy server) do not make a live job look dead."""
    configured = getattr(settings, "JUMIN_JOB_HEARTBEAT_SECONDS", None)
    return float(configured) if configured else max(lease_seconds() / 6, 0.2)


def worker_name() -> str:
    """What pages show as the process running a job: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


@functools.cache
def _machine() -> str:
    """This boot of this machine and this process-id namespace (Linux), so two containers
    that share a host name never mistake each other's process ids; "" when unknown."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return f"{boot}/{namespace}"


def _started(pid: int) -> str:
    """The start time of process ``pid`` in clock ticks since boot (Linux), or "" if there is
    no such process. With the pid it names one process even after the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def this_process() -> str:
    """``machine/pid/start`` of this process, or "" where it cannot be known."""
    machine = _machine()
    started = _started(os.getpid()) if machine else ""
    return f"{machine}/{os.getpid()}/{started}" if started else ""


def process_alive(identity: str) -> bool | None:
    """True or False for a process of this machine (``this_process`` form), None when the
    identity is empty or of another machine (then only the heartbeat can tell)."""
    parts = identity.split("/")
    if len(parts) != 4 or not _machine() or "/".join(parts[:2]) != _machine():
        return None
    pid, started = parts[2], parts[3]
    if not (pid.isascii() and pid.isdigit()):
        return None
    return _started(int(pid)) == started


def run_is_dead(run: JobRun, *, now: datetime.datetime | None = None) -> bool:
    """Marked running, but its process is gone: checked directly on the same machine,
    else by a heartbeat older than the lease. A queued run is waiting, never dead."""
    if run.status != JobStatus.RUNNING:
        return False
    alive = process_alive(run.worker_process)
    if alive is not None:
        return not alive
    last = run.heartbeat_at or run.started_at or run.created_at
    return last < (now or timezone.now()) - datetime.timedelta(seconds=lease_seconds())


def _holder_fields(now: datetime.datetime) -> dict:
    return {
        "status": JobStatus.RUNNING,
        "worker": worker_name(),
        "worker_process": this_process(),
        "heartbeat_at": now,
    }


def claim(run: JobRun) -> bool:
    """Take a queued run (or a dead running one) for this process; False when another live
    process has it or it is over (done, failed, replaced). ``run`` is refreshed."""
    now = timezone.now()
    fields = {**_holder_fields(now), "started_at": Coalesce(F("started_at"), now)}
    taken = JobRun.objects.filter(pk=run.pk, status=JobStatus.QUEUED).update(**fields)
    if not taken:
        run.refresh_from_db()
        if run_is_dead(run):  # a task delivered again after its worker died: resume it
            taken = JobRun.objects.filter(
                pk=run.pk,
                status=JobStatus.RUNNING,
                worker_process=run.worker_process,
                heartbeat_at=run.heartbeat_at,
            ).update(**fields)
    run.refresh_from_db()
    return bool(taken)


class Heartbeat:
    """Refreshes the lease of ``run`` every ``heartbeat_seconds()`` from its own thread and
    database connection, so the lease holds while the job's own connection is busy with one
    long statement. A write that fails (SQLite's "database is locked" while the job holds a
    long write transaction, a dropped connection) is tried again at the next beat; on the
    same machine the process check covers those gaps anyway."""

    def __init__(self, run: JobRun, *, interval: float | None = None):
        self.run_id = run.pk
        self.worker = run.worker
        self.worker_process = run.worker_process
        self.interval = interval or heartbeat_seconds()
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{run.pk}", daemon=True)

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 30)

    def beat(self) -> bool:
        """One refresh; False when the run is no longer ours (replaced, or over)."""
        return bool(
            JobRun.objects.filter(
                pk=self.run_id,
                status=JobStatus.RUNNING,
                worker=self.worker,
                worker_process=self.worker_process,
            ).update(heartbeat_at=timezone.now())
        )

    def _beat(self) -> None:
        failures = 0
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not self.beat():
                        self.lost = not self._stop.is_set()
                        return
                    failures = 0
                except DatabaseError as error:
                    failures += 1
                    if failures in (1, 10, 100):
                        logger.warning("job %s: heartbeat not written: %s", self.run_id, error)
                    connection.close()  # this thread's connection: a fresh one next beat
        finally:
            connections.close_all()  # this thread's connections only


# --------------------------------------------------------------------------- progress


class Progress:
    def __init__(self, run: JobRun, *, bar=None, min_interval: float = 0.5, heartbeat=None):
        self.run = run
        self.bar = bar
        self.min_interval = min_interval
        self.heartbeat = heartbeat
        self._last_write = 0.0

    def start(self, total: int = 0, stage: str = "") -> None:
        fault_point("progress")
        self.run.total = total
        self.run.done = 0
        self.run.stage = stage
        self.run.status = JobStatus.RUNNING
        self.run.started_at = self.run.started_at or timezone.now()
        if not self.run.worker:  # a run made without ``claim`` (bench, older commands)
            self.run.worker = worker_name()
            self.run.worker_process = this_process()
        self._save(force=True)
        if self.bar is not None:
            self.bar.reset(total=total or None)
            if stage:
                self.bar.set_description(stage)

    def advance(self, count: int = 1) -> None:
        fault_point("progress")
        self.run.done += count
        if self.bar is not None:
            self.bar.update(count)
        self._save()

    def finish(self, result: dict, message: str = "") -> None:
        self.run.status = JobStatus.DONE
        self.run.result = result
        self.run.message = message
        self.run.finished_at = timezone.now()
        if self.run.total:
            self.run.done = self.run.total
        self._save(force=True)
        if self.bar is not None:
            self.bar.close()

    def fail(self, message: str) -> None:
        self.run.status = JobStatus.FAILED
        self.run.message = message
        self.run.finished_at = timezone.now()
        self._save(force=True)
        if self.bar is not None:
            self.bar.close()

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return
        active = self.run.status in ACTIVE_JOB_STATUSES
        if active and self.heartbeat is not None and self.heartbeat.lost:
            raise JobLeaseLost(str(self.run.pk))
        self._last_write = now
        rows = JobRun.objects.filter(pk=self.run.pk)
        if active:
            # never bring a run back to life that was declared dead and replaced
            rows = rows.filter(
                status__in=ACTIVE_JOB_STATUSES, worker_process__in=["", self.run.worker_process]
            )
        written = rows.update(
            total=self.run.total,
            done=self.run.done,
            stage=self.run.stage,
            status=self.run.status,
            started_at=self.run.started_at,
            finished_at=self.run.finished_at,
            message=self.run.message,
            result=self.run.result,
            worker=self.run.worker,
            worker_process=self.run.worker_process,
            heartbeat_at=timezone.now(),
        )
        if not written and active:
            raise JobLeaseLost(str(self.run.pk))


def cli_progress(run: JobRun, *, disable: bool = False) -> Progress:
    return Progress(run, bar=_bar(disable), min_interval=1.0)


def _bar(disable: bool):
    from tqdm import tqdm

    return tqdm(total=0, unit="行", disable=disable)


@contextlib.contextmanager
def leased(run: JobRun, *, cli: bool = False, no_progress: bool = False):
    """Run the body holding the lease of ``run`` (claimed by this process) and yield its
    ``Progress``; ``cli`` adds a tqdm bar. Whatever happens, the run does not stay
    "running": an exception the body did not report fails it, Ctrl-C interrupts it."""
    heartbeat = Heartbeat(run).start()
    progress = Progress(
        run,
        bar=_bar(no_progress) if cli else None,
        min_interval=1.0 if cli else 0.5,
        heartbeat=heartbeat,
    )
    try:
        yield progress
    except BaseException as error:
        heartbeat.stop()
        if not isinstance(error, JobLeaseLost):
            _settle(run, error)
        raise
    else:
        heartbeat.stop()
        _settle(run, None)


def _settle(run: JobRun, error: BaseException | None) -> None:
    """End a run the body left running (it neither finished nor failed it)."""
    if isinstance(error, Exception):
        status, message = JobStatus.FAILED, f"任务出错，没有完成：{type(error).__name__}"
    elif error is not None:  # KeyboardInterrupt, SystemExit: stopped by hand
        status, message = (
            JobStatus.INTERRUPTED,
            "任务被停止，没有完成；重新开始会接着完成剩下的部分。",
        )
    else:
        status, message = JobStatus.FAILED, "任务结束时没有报告结果"
    try:
        JobRun.objects.filter(
            pk=run.pk, status__in=ACTIVE_JOB_STATUSES, worker_process=run.worker_process
        ).update(status=status, message=message, finished_at=timezone.now())
    except DatabaseError:
        logger.exception("job %s: could not record its end", run.pk)


# --------------------------------------------------------------------------- submission


def active_run(kind: str, natural_key: str) -> JobRun | None:
    return (
        JobRun.objects.filter(kind=kind, natural_key=natural_key, status__in=ACTIVE_JOB_STATUSES)
        .select_related("created_by")
        .first()
    )


def interrupt(run: JobRun, *, acting_user=None) -> bool:
    """Mark a dead run interrupted (audited), freeing its natural key; False when it was no
    longer the dead run read (it finished, or its process reported again meanwhile)."""
    from jumin.core import audit

    with transaction.atomic():
        changed = JobRun.objects.filter(
            pk=run.pk,
            status=run.status,
            worker_process=run.worker_process,
            heartbeat_at=run.heartbeat_at,
        ).update(
            status=JobStatus.INTERRUPTED,
            finished_at=timezone.now(),
            message=INTERRUPTED_MESSAGE.format(worker=run.worker or "未知"),
        )
        if changed:
            audit.record(
                actor=_known(acting_user),
                action=CoreAction.JOB_INTERRUPT,
                obj=run,
                object_label=f"{run.kind} {run.natural_key or ''}".strip(),
                before={
                    "status": run.status,
                    "worker": run.worker,
                    "heartbeat_at": run.heartbeat_at,
                    "done": run.done,
                    "total": run.total,
                },
                after={"status": JobStatus.INTERRUPTED.value},
                reason="处理它的进程已停止",
            )
    return bool(changed)


def submit(
    *,
    kind: str,
    natural_key: str,
    region_id: str,
    acting_user,
    params: dict,
    then: Callable[[JobRun], None],
) -> tuple[JobRun, bool]:
    """Queue the work ``(kind, natural_key)``: (the run, whether it was queued now).

    A live queued or running run of the same work is returned as it is; a dead one is
    marked interrupted and a new run queued in its place (the jobs add only what is
    missing, so it resumes). ``then(run)`` runs inside the transaction that creates the run:
    it enqueues the task with ``transaction.on_commit`` and writes what belongs with it."""
    for _attempt in range(5):
        existing = active_run(kind, natural_key)
        if existing is not None:
            if not run_is_dead(existing):
                return existing, False
            interrupt(existing, acting_user=acting_user)
            continue
        try:
            with transaction.atomic():
                run = JobRun.objects.create(
                    kind=kind,
                    natural_key=natural_key,
                    region_id=region_id,
                    created_by=_known(acting_user),
                    params=params,
                )
                then(run)
            return run, True
        except IntegrityError:
            continue  # another start won the key at the same moment: return its run
    raise RuntimeError(f"could not submit {kind} {natural_key}")


def start_here(*, kind: str, natural_key: str, region_id: str, acting_user, params: dict) -> JobRun:
    """A run of ``(kind, natural_key)`` held by this process, to be done in the foreground
    (the CLI). A dead run of the same work is marked interrupted first; a live one (queued
    from the web, or another command) raises ``JobBusy``."""
    for _attempt in range(5):
        existing = active_run(kind, natural_key)
        if existing is not None:
            if not run_is_dead(existing):
                raise JobBusy(existing)
            interrupt(existing, acting_user=acting_user)
            continue
        now = timezone.now()
        try:
            with transaction.atomic():
                return JobRun.objects.create(
                    kind=kind,
                    natural_key=natural_key,
                    region_id=region_id,
                    created_by=_known(acting_user),
                    params=params,
                    started_at=now,
                    **_holder_fields(now),
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"could not start {kind} {natural_key}")


def _known(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --------------------------------------------------------------------------- helpers


def exclusive(name: str) -> None:
    """Inside a transaction: wait until no other transaction holds ``name``, and hold it
    until this one ends. PostgreSQL: an advisory transaction lock (two runs of the same
    chunked job then take turns chunk by chunk instead of blocking on each other's
    uncommitted rows, or deadlocking). SQLite: nothing to do, a write transaction
    (``transaction_mode`` IMMEDIATE) already excludes every other writer."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


_fault_counts: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Test hook for the kill-and-resume checks (``jumin bench faults``): with
    ``JUMIN_FAULT_KILL_AT=name:N`` in the environment this process kills itself (SIGKILL,
    no clean-up, as a power cut would) the N-th time it passes the point ``name``."""
    wanted = os.environ.get("JUMIN_FAULT_KILL_AT")
    if not wanted:
        return
    point, _, count = wanted.rpartition(":")
    if point != name:
        return
    _fault_counts[name] = _fault_counts.get(name, 0) + 1
    if str(_fault_counts[name]) == count:
        os.kill(os.getpid(), signal.SIGKILL)

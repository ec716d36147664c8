"""``jumin.core.jobs``: a dead job is seen as dead and replaced; one run per natural key even
when two starts come at the same moment; the lease, its heartbeat and the queues."""

import datetime
import subprocess
import sys
import threading
import time

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jumin.core import jobs
from jumin.core.models import AuditEntry, JobRun, JobStatus, Role
from jumin.testing.concurrency import postgres_only, run_together

KIND = "test.kind"
KEY = "341125000000:2026"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
OTHER_MACHINE = "1e2d3c4b-0000-0000-0000-000000000000/pid:[4026531836]/4242/123456"


def running(
    tree, *, heartbeat_at=START, worker_process=OTHER_MACHINE, natural_key=KEY, **fields
) -> JobRun:
    return JobRun.objects.create(
        kind=KIND,
        natural_key=natural_key,
        region=tree.county,
        status=JobStatus.RUNNING,
        started_at=heartbeat_at,
        heartbeat_at=heartbeat_at,
        worker="other-host:4242",
        worker_process=worker_process,
        **fields,
    )


def finished_process_identity() -> str:
    """The identity of a process of this machine that has ended since."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        identity = f"{jobs._machine()}/{child.pid}/{jobs._started(child.pid)}"
    finally:
        child.kill()
        child.wait()
    return identity


# --------------------------------------------------------------------------- dead or alive


def test_a_running_job_of_another_machine_dies_when_its_heartbeat_passes_the_lease(tree):
    with time_machine.travel(START, tick=False) as traveller:
        run = running(tree)
        lease = datetime.timedelta(seconds=settings.JUMIN_JOB_LEASE_SECONDS)
        traveller.move_to(START + lease - datetime.timedelta(seconds=1))
        assert not run.is_dead
        assert run.shown_status == JobStatus.RUNNING
        assert not run.is_finished
        traveller.move_to(START + lease + datetime.timedelta(seconds=1))
        assert run.is_dead
        assert run.shown_status == JobStatus.INTERRUPTED
        assert run.shown_status_label == "中断"
        assert run.is_finished


def test_the_lease_is_a_setting(tree, settings):
    settings.JUMIN_JOB_LEASE_SECONDS = 30
    with time_machine.travel(START + datetime.timedelta(seconds=31), tick=False):
        assert running(tree).is_dead
    settings.JUMIN_JOB_LEASE_SECONDS = 600
    with time_machine.travel(START + datetime.timedelta(seconds=31), tick=False):
        assert not running(tree, natural_key=None).is_dead


@pytest.mark.skipif(not jobs._machine(), reason="needs /proc (Linux) to check a process")
def test_a_job_whose_process_on_this_machine_ended_is_dead_at_once(tree):
    run = running(tree, heartbeat_at=timezone.now(), worker_process=finished_process_identity())
    assert run.is_dead


@pytest.mark.skipif(not jobs._machine(), reason="needs /proc (Linux) to check a process")
def test_a_live_process_of_this_machine_keeps_its_job_even_with_a_stale_heartbeat(tree):
    """SQLite cannot write the heartbeat while the job holds a long write transaction; the
    process itself is the better witness on the machine that runs it."""
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        run = running(tree, worker_process=jobs.this_process())
        assert not run.is_dead


def test_queued_and_finished_jobs_are_never_dead(tree):
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        for status in (JobStatus.QUEUED, JobStatus.DONE, JobStatus.FAILED):
            run = JobRun.objects.create(kind=KIND, region=tree.county, status=status)
            run.created_at = START
            assert not run.is_dead


# --------------------------------------------------------------------------- submission


def record_enqueue(calls: list):
    return lambda run: calls.append(run.pk)


def test_submitting_the_same_work_twice_returns_the_first_run(tree, staff):
    calls = []
    user = staff[Role.COUNTY_CLERK]
    first, created = jobs.submit(
        kind=KIND,
        natural_key=KEY,
        region_id=tree.county.code,
        acting_user=user,
        params={},
        then=record_enqueue(calls),
    )
    again, created_again = jobs.submit(
        kind=KIND,
        natural_key=KEY,
        region_id=tree.county.code,
        acting_user=user,
        params={},
        then=record_enqueue(calls),
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert calls == [first.pk]
    assert JobRun.objects.filter(kind=KIND).count() == 1


def test_a_dead_run_is_marked_interrupted_audited_and_replaced(tree, staff):
    user = staff[Role.COUNTY_CLERK]
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        dead = running(tree, done=40, total=100)
        calls = []
        run, created = jobs.submit(
            kind=KIND,
            natural_key=KEY,
            region_id=tree.county.code,
            acting_user=user,
            params={"year": 2026},
            then=record_enqueue(calls),
        )
    assert created and run.pk != dead.pk and calls == [run.pk]
    dead.refresh_from_db()
    assert dead.status == JobStatus.INTERRUPTED
    assert "other-host:4242" in dead.message
    entry = AuditEntry.objects.get(action="core.job.interrupt")
    assert entry.object_id == str(dead.pk)
    assert entry.actor_id == user.pk
    assert entry.before["status"] == JobStatus.RUNNING
    assert entry.before["done"] == 40
    assert entry.after == {"status": JobStatus.INTERRUPTED}


def test_a_live_run_is_not_replaced(tree, staff):
    with time_machine.travel(START + datetime.timedelta(seconds=10), tick=False):
        live = running(tree)
        run, created = jobs.submit(
            kind=KIND,
            natural_key=KEY,
            region_id=tree.county.code,
            acting_user=staff[Role.COUNTY_CLERK],
            params={},
            then=record_enqueue([]),
        )
    assert (run.pk, created) == (live.pk, False)
    assert not AuditEntry.objects.filter(action="core.job.interrupt").exists()


def test_finished_and_failed_runs_do_not_hold_the_key(tree):
    for status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.INTERRUPTED):
        JobRun.objects.create(kind=KIND, natural_key=KEY, region=tree.county, status=status)
    run, created = jobs.submit(
        kind=KIND,
        natural_key=KEY,
        region_id=tree.county.code,
        acting_user=None,
        params={},
        then=record_enqueue([]),
    )
    assert created and run.status == JobStatus.QUEUED


def test_the_database_holds_one_queued_or_running_run_per_kind_and_key(tree):
    """The constraint itself (on SQLite as on PostgreSQL): what makes simultaneous starts
    safe, whatever the application code checked before."""
    JobRun.objects.create(kind=KIND, natural_key=KEY, region=tree.county)
    for status in (JobStatus.QUEUED, JobStatus.RUNNING):
        with pytest.raises(IntegrityError), transaction.atomic():
            JobRun.objects.create(kind=KIND, natural_key=KEY, region=tree.county, status=status)
    # another kind, no key, or a finished run: allowed
    JobRun.objects.create(kind="test.other", natural_key=KEY, region=tree.county)
    JobRun.objects.create(kind=KIND, natural_key=None, region=tree.county)
    JobRun.objects.create(kind=KIND, natural_key=None, region=tree.county)
    JobRun.objects.create(kind=KIND, natural_key=KEY, region=tree.county, status=JobStatus.DONE)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_make_one_run(tree, monkeypatch):
    """Both starts look for a run before either has made one (a barrier holds them there),
    then both insert: the unique index makes the second wait, fail and return the first."""
    looked = threading.Barrier(2)
    original = jobs.active_run
    seen: set = set()

    def look_then_wait(kind, natural_key):
        found = original(kind, natural_key)
        if threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            looked.wait(timeout=30)
        return found

    monkeypatch.setattr(jobs, "active_run", look_then_wait)
    calls: list = []

    def start():
        return jobs.submit(
            kind=KIND,
            natural_key=KEY,
            region_id=tree.county.code,
            acting_user=None,
            params={},
            then=record_enqueue(calls),
        )

    outcomes = run_together(start, start)
    assert all("error" not in outcome for outcome in outcomes), outcomes
    runs = [outcome["value"][0].pk for outcome in outcomes]
    created = sorted(outcome["value"][1] for outcome in outcomes)
    assert runs[0] == runs[1]
    assert created == [False, True]
    assert JobRun.objects.filter(kind=KIND).count() == 1
    assert calls == [runs[0]]


def test_start_here_refuses_while_a_live_run_holds_the_key(tree):
    with time_machine.travel(START + datetime.timedelta(seconds=5), tick=False):
        live = running(tree)
        with pytest.raises(jobs.JobBusy) as busy:
            jobs.start_here(
                kind=KIND, natural_key=KEY, region_id=tree.county.code, acting_user=None, params={}
            )
    assert busy.value.run.pk == live.pk
    assert "正在进行" in busy.value.message and "other-host:4242" in busy.value.message


def test_start_here_replaces_a_dead_run_and_holds_the_new_one(tree):
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        dead = running(tree)
        run = jobs.start_here(
            kind=KIND, natural_key=KEY, region_id=tree.county.code, acting_user=None, params={}
        )
    dead.refresh_from_db()
    assert dead.status == JobStatus.INTERRUPTED
    assert run.status == JobStatus.RUNNING
    assert run.worker == jobs.worker_name()
    assert run.worker_process == jobs.this_process()
    assert not run.is_dead


# --------------------------------------------------------------------------- claim and lease


def test_claim_takes_a_queued_run_once(tree):
    run = JobRun.objects.create(kind=KIND, region=tree.county)
    assert jobs.claim(run)
    assert run.status == JobStatus.RUNNING and run.worker == jobs.worker_name()
    assert run.started_at is not None and run.heartbeat_at is not None
    assert not jobs.claim(JobRun.objects.get(pk=run.pk))  # a task delivered twice


def test_claim_refuses_finished_and_replaced_runs_and_takes_over_dead_ones(tree):
    for status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.INTERRUPTED):
        assert not jobs.claim(JobRun.objects.create(kind=KIND, region=tree.county, status=status))
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        dead = running(tree)
        assert jobs.claim(dead)
    assert dead.worker == jobs.worker_name()


def test_leased_fails_a_run_whose_body_raised_and_interrupts_one_stopped_by_hand(tree):
    broken = jobs.start_here(
        kind=KIND, natural_key="a", region_id=tree.county.code, acting_user=None, params={}
    )
    with pytest.raises(ZeroDivisionError), jobs.leased(broken) as progress:
        progress.start(total=10)
        raise ZeroDivisionError
    broken.refresh_from_db()
    assert broken.status == JobStatus.FAILED and "ZeroDivisionError" in broken.message

    stopped = jobs.start_here(
        kind=KIND, natural_key="b", region_id=tree.county.code, acting_user=None, params={}
    )
    with pytest.raises(KeyboardInterrupt), jobs.leased(stopped):
        raise KeyboardInterrupt
    stopped.refresh_from_db()
    assert stopped.status == JobStatus.INTERRUPTED


def test_a_finished_body_keeps_its_result(tree):
    run = jobs.start_here(
        kind=KIND, natural_key=KEY, region_id=tree.county.code, acting_user=None, params={}
    )
    with jobs.leased(run) as progress:
        progress.start(total=2)
        progress.advance(2)
        progress.finish({"made": 2}, "好")
    run.refresh_from_db()
    assert (run.status, run.result, run.done) == (JobStatus.DONE, {"made": 2}, 2)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_refreshes_the_lease_on_its_own_connection(tree):
    run = jobs.start_here(
        kind=KIND, natural_key=KEY, region_id=tree.county.code, acting_user=None, params={}
    )
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=START)
    heartbeat = jobs.Heartbeat(run, interval=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while JobRun.objects.get(pk=run.pk).heartbeat_at == START:
            assert time.monotonic() < deadline, "no heartbeat written"
            time.sleep(0.05)
    finally:
        heartbeat.stop()
    assert not heartbeat.lost


@pytest.mark.django_db(transaction=True)
def test_a_process_whose_run_was_replaced_stops_at_its_next_progress_report(tree):
    run = jobs.start_here(
        kind=KIND, natural_key=KEY, region_id=tree.county.code, acting_user=None, params={}
    )
    with pytest.raises(jobs.JobLeaseLost), jobs.leased(run) as progress:
        progress.start(total=10)
        # another machine declared it dead (its lease lapsed while it was cut off)
        JobRun.objects.filter(pk=run.pk).update(status=JobStatus.INTERRUPTED)
        progress.advance(1)
        progress._last_write = 0  # past the throttle
        progress.advance(1)
    assert JobRun.objects.get(pk=run.pk).status == JobStatus.INTERRUPTED


def test_progress_never_brings_a_replaced_run_back_to_running(tree):
    run = jobs.start_here(
        kind=KIND, natural_key=KEY, region_id=tree.county.code, acting_user=None, params={}
    )
    progress = jobs.Progress(run, min_interval=0)
    JobRun.objects.filter(pk=run.pk).update(status=JobStatus.INTERRUPTED)
    with pytest.raises(jobs.JobLeaseLost):
        progress.advance(1)
    assert JobRun.objects.get(pk=run.pk).status == JobStatus.INTERRUPTED


# --------------------------------------------------------------------------- queues


def test_every_task_names_a_configured_queue_imports_and_county_apart():
    from jumin.pension.jobs import run_dues_generation, run_posting
    from jumin.people.jobs import run_roster_import

    configured = set(settings.TASKS["default"]["QUEUES"])
    assert configured == set(jobs.QUEUES)
    assert run_roster_import.queue_name == jobs.IMPORTS_QUEUE
    assert run_dues_generation.queue_name == jobs.COUNTY_QUEUE
    assert run_posting.queue_name == jobs.COUNTY_QUEUE


def test_the_worker_serves_every_queue_unless_told_one():
    from jumin.core.management.commands.worker import Command

    parser = Command().create_parser("jumin", "worker")
    assert parser.parse_args([]).queue_name == "*"
    assert parser.parse_args(["--queue-name", "county"]).queue_name == "county"

"""A roster import whose worker died: shown interrupted, and the same file handed in again
imports it (the old run marked interrupted, audited); the CLI refuses while the same file is
being imported elsewhere."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jumin.core.models import AuditEntry, JobStatus, Role
from jumin.people.formats.roster_samples import roster_row, write_csv
from jumin.people.models import Person, RosterImport
from jumin.people.tests.rosters import IMMEDIATE, roster_upload

STARTED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LATER = STARTED + datetime.timedelta(minutes=10)  # past the lease, within the session
OTHER_MACHINE = "1e2d3c4b-0000-0000-0000-000000000000/pid:[4026531836]/4242/123456"


pytestmark = pytest.mark.usefixtures("media")


def die_on_another_machine(roster_import) -> None:
    """Its worker took it at STARTED and has not been heard of since."""
    type(roster_import.job).objects.filter(pk=roster_import.job_id).update(
        status=JobStatus.RUNNING,
        started_at=STARTED,
        heartbeat_at=STARTED,
        worker="worker-2:4242",
        worker_process=OTHER_MACHINE,
        stage="检查数据",
    )


def test_an_import_whose_worker_died_is_shown_interrupted_and_runs_again(
    client, staff, tree, tmp_path, settings, django_capture_on_commit_callbacks
):
    rows = [roster_row(number) for number in range(3)]
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    with time_machine.travel(STARTED, tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # no worker took it yet
            client.post(
                "/people/import/", {"file": roster_upload(tmp_path, rows), "mode": "valid_only"}
            )
        first = RosterImport.objects.get()
        die_on_another_machine(first)
    with time_machine.travel(LATER, tick=False):
        page = client.get(f"/people/import/{first.pk}/").content.decode()
        answer = client.get(f"/api/imports/{first.pk}").json()
        assert "导入中断，没有写入任何数据" in page and 'hx-trigger="every 1s"' not in page
        assert (answer["status"], answer["status_label"]) == ("interrupted", "中断")
        settings.TASKS = IMMEDIATE
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/people/import/", {"file": roster_upload(tmp_path, rows), "mode": "valid_only"}
            )
    second = RosterImport.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/people/import/{second.pk}/"
    assert second.job.status == JobStatus.DONE and Person.objects.count() == 3
    first.job.refresh_from_db()
    assert first.job.status == JobStatus.INTERRUPTED
    entry = AuditEntry.objects.get(action="core.job.interrupt")
    assert entry.object_id == str(first.job_id) and entry.actor == staff[Role.TOWNSHIP_CLERK]


def test_the_same_file_while_its_import_is_alive_returns_that_import(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    rows = [roster_row(number) for number in range(2)]
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    with time_machine.travel(STARTED, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            client.post(
                "/people/import/", {"file": roster_upload(tmp_path, rows), "mode": "valid_only"}
            )
        first = RosterImport.objects.get()
        die_on_another_machine(first)
    with time_machine.travel(STARTED + datetime.timedelta(seconds=30), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(
                "/people/import/", {"file": roster_upload(tmp_path, rows), "mode": "valid_only"}
            )
    assert response["Location"] == f"/people/import/{first.pk}/"
    assert RosterImport.objects.count() == 1


def test_the_command_refuses_a_file_being_imported_and_takes_over_a_dead_import(
    staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    from jumin.people.services.roster_imports import roster_import_submit

    rows = [roster_row(number, village=tree.village_a1.code) for number in range(2)]
    path = write_csv(tmp_path / "roster.csv", rows)
    clerk = staff[Role.TOWNSHIP_CLERK]
    with django_capture_on_commit_callbacks(execute=False):
        queued, _ = roster_import_submit(
            acting_user=clerk,
            upload=SimpleUploadedFile("roster.csv", path.read_bytes()),
            mode="valid_only",
        )
    with pytest.raises(CommandError, match="正在进行"):
        call_command("import_roster", str(path), mode="valid-only", user=clerk.username)
    assert not Person.objects.exists()
    with time_machine.travel(STARTED, tick=False):
        die_on_another_machine(queued)
    with time_machine.travel(LATER, tick=False):
        call_command(
            "import_roster", str(path), mode="valid-only", user=clerk.username, no_progress=True
        )
    assert Person.objects.count() == 2
    queued.job.refresh_from_db()
    assert queued.job.status == JobStatus.INTERRUPTED

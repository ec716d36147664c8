"""Background work of the people app (run by ``jumin worker``), on the ``imports`` queue."""

from django_tasks import task

from jumin.core import audit, jobs
from jumin.core.models import JobStatus
from jumin.people.models import RosterImport


@task(queue_name=jobs.IMPORTS_QUEUE)
def run_roster_import(roster_import_id: int) -> dict:
    """Run a roster import handed in from the web or the API.

    A task delivered again after its import is done does nothing, nor does one whose import
    another live worker holds or that was replaced; one whose worker died runs again from the
    start (the write is a single transaction, so nothing is doubled).
    """
    from jumin.people.services.roster_import_batch import run_import

    roster_import = RosterImport.objects.select_related(
        "job", "region", "created_by", "created_by__region"
    ).get(pk=roster_import_id)
    run = roster_import.job
    if run.status == JobStatus.DONE or not jobs.claim(run):
        return run.result
    params = run.params or {}
    with (
        audit.request_context(params.get("request_id"), params.get("ip_address")),
        jobs.leased(run) as progress,
    ):
        run_import(roster_import, acting_user=roster_import.created_by, progress=progress)
    return run.result

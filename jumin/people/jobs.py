"""Background work of the people app (run by ``jumin worker``)."""

from django_tasks import task

from jumin.core import audit
from jumin.core.jobs import Progress
from jumin.core.models import JobStatus
from jumin.people.models import RosterImport


@task()
def run_roster_import(roster_import_id: int) -> dict:
    """Run a roster import handed in from the web or the API.

    A task delivered again after its import is done does nothing; one that was interrupted
    runs again from the start (the write is a single transaction, so nothing is doubled).
    """
    from jumin.people.imports.runner import run_import

    roster_import = RosterImport.objects.select_related(
        "job", "region", "created_by", "created_by__region"
    ).get(pk=roster_import_id)
    run = roster_import.job
    if run.status == JobStatus.DONE:
        return run.result
    params = run.params or {}
    with audit.request_context(params.get("request_id"), params.get("ip_address")):
        run_import(roster_import, acting_user=roster_import.created_by, progress=Progress(run))
    return run.result

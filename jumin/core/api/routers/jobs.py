"""``/api/jobs``: a background job's progress and result, for the caller's area.

A job outside the caller's area answers 404, exactly like one that does not exist.
"""

import uuid

from django.http import Http404
from ninja import Router

from jumin.core.access import get_scoped_or_404, require
from jumin.core.api import error_responses
from jumin.core.api.schemas import JobOut
from jumin.core.models import JobRun

router = Router(tags=["jobs"])


@router.get(
    "/{job_id}", response={200: JobOut, **error_responses(401, 404)}, summary="后台任务的进度和结果"
)
def job_get_endpoint(request, job_id: str):
    require(request.user, "job.view")
    try:
        key = uuid.UUID(job_id)
    except ValueError as error:
        raise Http404 from error
    job = get_scoped_or_404(JobRun.objects.all(), request.user, pk=key)
    return JobOut(
        id=job.id,
        kind=job.kind,
        region_code=job.region_id,
        status=job.shown_status,
        status_label=job.shown_status_label,
        done=job.done,
        total=job.total,
        percent=job.percent,
        stage=job.stage,
        message=job.message,
        result=job.result or {},
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )

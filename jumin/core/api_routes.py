"""``/api/regions`` and ``/api/jobs``: thin endpoints over the scoped queries of ``core``.

A region or job outside the caller's area answers 404, exactly like one that does not exist.
"""

import datetime
import re
import uuid

from django.db.models import Exists, OuterRef
from django.http import Http404
from ninja import Field, Query, Router, Schema

from jumin.core.access import get_scoped_or_404, require
from jumin.core.api import error_responses
from jumin.core.models import JobRun, Region, RegionLevel
from jumin.core.queries import region_children, region_get

regions_router = Router(tags=["regions"])
jobs_router = Router(tags=["jobs"])

REGION_CODE = r"^\d{12}$"


# --------------------------------------------------------------------------- regions


class RegionOut(Schema):
    code: str = Field(description="12位统计用区划代码")
    name: str
    level: str = Field(description="province, city, county, township or village")
    level_label: str
    parent_code: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    has_children: bool


class RegionFilter(Schema):
    parent: str | None = Field(
        None,
        pattern=REGION_CODE,
        description="上级区划代码；不填则返回您管辖的区域本身",
    )


def region_out(region: Region, has_children: bool) -> RegionOut:
    level = RegionLevel(region.level)
    return RegionOut(
        code=region.code,
        name=region.name,
        level=level.name.lower(),
        level_label=str(level.label),
        parent_code=region.parent_id,
        valid_from=region.valid_from,
        valid_to=region.valid_to,
        has_children=has_children,
    )


def _with_children_flag(regions):
    return regions.annotate(has_children=Exists(Region.objects.filter(parent_id=OuterRef("code"))))


@regions_router.get(
    "",
    response={200: list[RegionOut], **error_responses(401, 404, 422)},
    summary="下级区划（在管辖范围内）",
)
def region_list_endpoint(request, filters: Query[RegionFilter]):
    require(request.user, "region.view")
    if filters.parent:
        regions = region_children(request.user, region_get(request.user, filters.parent))
    else:
        region = request.user.region
        if region is None:
            return []
        regions = Region.objects.filter(code=region.code)
    return [region_out(region, region.has_children) for region in _with_children_flag(regions)]


@regions_router.get(
    "/{code}", response={200: RegionOut, **error_responses(401, 404)}, summary="一个区划"
)
def region_get_endpoint(request, code: str):
    require(request.user, "region.view")
    if not re.fullmatch(r"\d{12}", code):
        raise Http404
    region = region_get(request.user, code)
    has_children = Region.objects.filter(parent=region).exists()
    return region_out(region, has_children)


# --------------------------------------------------------------------------- jobs


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    region_code: str
    status: str = Field(
        description="queued, running, done, failed or interrupted (its process stopped; "
        "starting the same work again resumes it)"
    )
    status_label: str
    done: int
    total: int
    percent: int
    stage: str
    message: str
    result: dict
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


@jobs_router.get(
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

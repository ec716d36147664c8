"""``/api/regions``: thin endpoints over the scoped region queries.

A region outside the caller's area answers 404, exactly like one that does not exist.
"""

import re

from django.db.models import Exists, OuterRef
from django.http import Http404
from ninja import Query, Router

from jumin.core.access import require
from jumin.core.api import error_responses
from jumin.core.api.schemas import RegionFilter, RegionOut
from jumin.core.models import Region, RegionLevel
from jumin.core.queries.regions import region_children, region_get

router = Router(tags=["regions"])


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


@router.get(
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


@router.get("/{code}", response={200: RegionOut, **error_responses(401, 404)}, summary="一个区划")
def region_get_endpoint(request, code: str):
    require(request.user, "region.view")
    if not re.fullmatch(r"\d{12}", code):
        raise Http404
    region = region_get(request.user, code)
    has_children = Region.objects.filter(parent=region).exists()
    return region_out(region, has_children)

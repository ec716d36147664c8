"""The villages a staff member may choose or name, through ``access.scope``."""

import itertools

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import Region, RegionLevel


def village_get(user, code: str) -> Region:
    """A village in the user's scope, or 404 (also for a township code or a made-up one)."""
    require(user, "person.view")
    return get_scoped_or_404(Region.objects.filter(level=RegionLevel.VILLAGE), user, code=code)


def village_choices(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Villages in the user's scope, grouped by township, for a ``<select>``: one query."""
    villages = scope(Region.objects.filter(level=RegionLevel.VILLAGE), user).select_related(
        "parent"
    )
    groups = []
    for township, members in itertools.groupby(
        villages.order_by("code"), key=lambda village: village.parent
    ):
        label = township.name if township is not None else ""
        groups.append((label, [(village.code, village.name) for village in members]))
    return groups

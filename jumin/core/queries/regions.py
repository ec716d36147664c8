"""Reads of the region tree for staff, always scoped to the acting user's region."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr

from jumin.core import registration
from jumin.core.access import get_scoped_or_404, scope
from jumin.core.models import PREFIX_LENGTH, Region, RegionLevel
from jumin.core.registration import RegionCount


def region_get(user, code: str) -> Region:
    return get_scoped_or_404(Region.objects.select_related("parent"), user, code=code)


def region_children(user, region: Region):
    return scope(Region.objects.filter(parent=region), user).order_by("code")


def region_breadcrumbs(user, region: Region) -> list[Region]:
    """The regions from the user's own down to ``region``, never above the user's scope."""
    if user.region_id is None:
        return []
    top = user.region.level
    codes = [
        region.code[: PREFIX_LENGTH[level]].ljust(12, "0")
        for level in RegionLevel.values
        if top <= level < region.level
    ]
    found = scope(Region.objects.filter(code__in=codes), user).in_bulk()
    return [found[code] for code in codes if code in found]


@dataclass
class TreeRow:
    """A child region with how many townships and villages it holds, and the apps' counts
    (``registration.region_counts``, those shown on the tree, in their order)."""

    region: Region
    townships: int = 0
    villages: int = 0
    counts: list[int] = field(default_factory=list)


def tree_counts() -> tuple[RegionCount, ...]:
    """The apps' per-region counts shown on the region tree, in order."""
    return tuple(count for count in registration.region_counts() if count.on_tree)


def home_counts() -> tuple[RegionCount, ...]:
    """The apps' per-region counts shown on the home page, in order."""
    return tuple(count for count in registration.region_counts() if count.on_home)


def counted(user, counts, *, under: str, length: int) -> list[dict[str, int]]:
    """For each of ``counts``: code prefix of ``length`` characters → number, for the records
    in the user's scope under ``under``; one grouped query per count."""
    return [registration.resolve(count.count)(user, under, length) for count in counts]


def region_child_rows(user, region: Region) -> list[TreeRow]:
    """The region's children with how many townships, villages and (per app) records each
    holds.

    A fixed number of queries however many children: the children, then one grouped count
    for each level and each declared count.
    """
    children = list(region_children(user, region))
    counts = tree_counts()
    if not children or region.level >= RegionLevel.VILLAGE:
        return [TreeRow(child, counts=[0] * len(counts)) for child in children]
    length = PREFIX_LENGTH[RegionLevel(region.level + 1)]
    under = region.prefix
    rows = {child.code[:length]: TreeRow(child) for child in children}
    below = scope(Region.objects.filter(code__startswith=under), user)
    for level, attribute in (
        (RegionLevel.TOWNSHIP, "townships"),
        (RegionLevel.VILLAGE, "villages"),
    ):
        if level <= region.level + 1:
            continue
        grouped = (
            below.filter(level=level)
            .annotate(key=Substr("code", 1, length))
            .values("key")
            .annotate(count=Count("code"))
        )
        for item in grouped:
            if item["key"] in rows:
                setattr(rows[item["key"]], attribute, item["count"])
    numbers = counted(user, counts, under=under, length=length)
    for key, row in rows.items():
        row.counts = [by_prefix.get(key, 0) for by_prefix in numbers]
    return list(rows.values())


def region_totals(user, region: Region) -> dict:
    """Townships, villages and the apps' counts under ``region`` (in the user's scope)."""
    regions = scope(Region.objects.filter(code__startswith=region.prefix), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    under = region.prefix
    numbers = counted(user, tree_counts(), under=under, length=len(under))
    return {**regions, "counts": [by_prefix.get(under, 0) for by_prefix in numbers]}


def region_choices_for_staff(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Regions a county administrator may give an account, grouped for a ``<select>``."""
    regions = scope(
        Region.objects.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        ),
        user,
    ).order_by("code")
    groups: dict[str, list[tuple[str, str]]] = {}
    township_names: dict[str, str] = {}
    for region in regions:
        if region.level == RegionLevel.COUNTY:
            groups.setdefault("县级", []).append((region.code, f"{region.name}（县级）"))
        elif region.level == RegionLevel.TOWNSHIP:
            township_names[region.code[:9]] = region.name
            groups.setdefault(region.name, []).append((region.code, f"{region.name}（乡镇）"))
        else:
            township = township_names.get(region.code[:9], region.code[:9])
            groups.setdefault(township, []).append((region.code, f"　{region.name}（村）"))
    return list(groups.items())

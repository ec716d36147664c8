"""Reads of the region tree for staff, always scoped to the acting user's region."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from jumin.core.access import get_scoped_or_404, scope
from jumin.core.models import PREFIX_LENGTH, Region, RegionLevel


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
class RegionRow:
    region: Region
    townships: int = 0
    villages: int = 0
    persons: int = 0


def region_child_rows(user, region: Region) -> list[RegionRow]:
    """The region's children with how many townships, villages and persons each holds.

    Four queries however many children: the children, then one grouped count each.
    """
    from jumin.people.models import Person

    children = list(region_children(user, region))
    if not children or region.level >= RegionLevel.VILLAGE:
        return [RegionRow(child) for child in children]
    length = PREFIX_LENGTH[RegionLevel(region.level + 1)]
    under = region.prefix
    rows = {child.code[:length]: RegionRow(child) for child in children}
    below = scope(Region.objects.filter(code__startswith=under), user)
    for level, attribute in (
        (RegionLevel.TOWNSHIP, "townships"),
        (RegionLevel.VILLAGE, "villages"),
    ):
        if level <= region.level + 1:
            continue
        counts = (
            below.filter(level=level)
            .annotate(key=Substr("code", 1, length))
            .values("key")
            .annotate(count=Count("code"))
        )
        for item in counts:
            if item["key"] in rows:
                setattr(rows[item["key"]], attribute, item["count"])
    persons = (
        scope(Person.objects.filter(village__pk__startswith=under), user)
        .annotate(key=Substr("village_id", 1, length))
        .values("key")
        .annotate(count=Count("id"))
    )
    for item in persons:
        if item["key"] in rows:
            rows[item["key"]].persons = item["count"]
    return list(rows.values())


def region_totals(user, region: Region) -> dict:
    """Townships, villages and persons under ``region`` (in the user's scope)."""
    from jumin.people.models import Person

    regions = scope(Region.objects.filter(code__startswith=region.prefix), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    persons = scope(Person.objects.filter(village__pk__startswith=region.prefix), user).count()
    return {**regions, "persons": persons}


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

"""Reads for staff, always scoped to the acting user's region."""

from django.db.models import Count, Q

from jumin.core.access import scope
from jumin.core.models import Region, RegionLevel


def region_get(user, code: str) -> Region:
    from jumin.core.access import get_scoped_or_404

    return get_scoped_or_404(Region.objects.all(), user, code=code)


def region_children(user, region: Region):
    return scope(Region.objects.filter(parent=region), user).order_by("code")


def home_summary(user) -> dict:
    """What the home page shows: the user's area and how many people live in it."""
    from jumin.people.models import Person

    persons = scope(Person.objects.all(), user).aggregate(
        total=Count("id"), alive=Count("id", filter=Q(death_date__isnull=True))
    )
    regions = scope(Region.objects.all(), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    return {"region": user.region, "persons": persons, "regions": regions}

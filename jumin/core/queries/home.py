"""What the home page shows, scoped to the user's region."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from jumin.core.access import can, scope
from jumin.core.auth import locked_usernames
from jumin.core.models import AuditEntry, Region, RegionLevel, User
from jumin.core.queries.audit import audit_scope


def home_summary(user) -> dict:
    """What the home page shows: the user's area, how many people live in it, and for
    administrators the accounts that need attention."""
    from jumin.people.models import Person

    persons = scope(Person.objects.all(), user).aggregate(
        total=Count("id"), alive=Count("id", filter=Q(death_date__isnull=True))
    )
    regions = scope(Region.objects.all(), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    summary = {"region": user.region, "persons": persons, "regions": regions}
    if can(user, "staff.manage"):
        summary["staff"] = scope(User.objects.all(), user).aggregate(
            active=Count("id", filter=Q(is_active=True)),
            locked=Count("id", filter=Q(username__in=locked_usernames(), is_active=True)),
        )
    if can(user, "audit.view"):
        today = timezone.localdate()
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        summary["audit_today"] = (
            audit_scope(AuditEntry.objects.all(), user).filter(at__gte=start).count()
        )
    return summary

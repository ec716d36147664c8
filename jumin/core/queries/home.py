"""What the home page shows, scoped to the user's region."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from jumin.core.access import can, scope
from jumin.core.auth import locked_usernames
from jumin.core.models import AuditEntry, Region, RegionLevel, User
from jumin.core.queries.audit import audit_scope
from jumin.core.queries.regions import counted, home_counts


def home_summary(user) -> dict:
    """What the home page shows: the user's area, the apps' counts in it (how many people
    live there, ...), and for administrators the accounts that need attention."""
    counts = home_counts()
    if user.region_id is None:
        numbers = [0] * len(counts)
    else:
        under = user.scope_prefix
        numbers = [
            by_prefix.get(under, 0)
            for by_prefix in counted(user, counts, under=under, length=len(under))
        ]
    regions = scope(Region.objects.all(), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    summary = {
        "region": user.region,
        "counts": [(count.label, number) for count, number in zip(counts, numbers, strict=True)],
        "regions": regions,
    }
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

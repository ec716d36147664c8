"""Reads on roster imports, always through the importer's scope (another area's → 404)."""

from django.db.models import QuerySet

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.people.models import RosterImport

RECENT = 50


def roster_import_list(user) -> QuerySet:
    require(user, "roster.import")
    return scope(RosterImport.objects.select_related("job", "region", "created_by"), user).order_by(
        "-created_at", "-pk"
    )


def roster_import_recent(user, *, limit: int = RECENT) -> QuerySet:
    return roster_import_list(user)[:limit]


def roster_import_get(user, pk) -> RosterImport:
    require(user, "roster.import")
    return get_scoped_or_404(
        RosterImport.objects.select_related("job", "region", "created_by"), user, pk=pk
    )

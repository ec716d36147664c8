"""Reads of staff accounts, for county administrators, scoped to their region."""

from django.db.models import Q, QuerySet

from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import User


def staff_list(user, *, text: str = "", role: str = "") -> QuerySet:
    require(user, "staff.manage")
    users = scope(User.objects.select_related("region"), user)
    text = text.strip()
    if text:
        users = users.filter(
            Q(username__icontains=text) | Q(full_name__icontains=text) | Q(phone__contains=text)
        )
    if role:
        users = users.filter(role=role)
    return users.order_by("region_id", "role", "username")


def staff_get(user, pk) -> User:
    """An account in the administrator's scope, or 404 (also for a guessed id)."""
    require(user, "staff.manage")
    return get_scoped_or_404(User.objects.select_related("region"), user, pk=pk)

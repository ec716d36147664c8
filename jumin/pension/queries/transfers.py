"""Reads of transfers and scheme-link cases, scoped: a transfer is seen by the staff of both
counties (its sending village or its receiving village in scope), 404 for anyone else."""

from django.db.models import Q, QuerySet
from django.http import Http404

from jumin.core.access import require, scope
from jumin.pension.models import SchemeLink, Transfer
from jumin.people.models import Person


def transfer_list(user) -> QuerySet:
    require(user, "account.view")
    if not getattr(user, "is_authenticated", False) or user.region_id is None:
        return Transfer.objects.none()
    prefix = user.scope_prefix
    return Transfer.objects.filter(
        Q(from_village__pk__startswith=prefix) | Q(to_village__pk__startswith=prefix)
    ).select_related("person", "from_village", "to_village")


def transfer_get(user, pk) -> Transfer:
    try:
        return transfer_list(user).get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def link_list(user) -> QuerySet:
    require(user, "account.view")
    return scope(SchemeLink.objects.select_related("person", "village"), user)


def link_get(user, pk) -> SchemeLink:
    try:
        return link_list(user).get(pk=pk)
    except (SchemeLink.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_by_id_number(id_number: str) -> Person | None:
    """For a transfer request only: the receiving county looks up a person registered in
    another county by the ID number the person brings (the sending county's record)."""
    return Person.objects.filter(id_number=id_number).select_related("village").first()

"""Reading the personal account (个人账户): a person's entries, balances by source and year.

A person's account is seen by whoever may see the person (scope by the person's village): the
whole account, including entries booked while the person lived in another village. Out of
scope is 404, like everywhere.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from jumin.collection.models import Due
from jumin.core.access import get_scoped_or_404, require, require_in_scope
from jumin.pension.models import AccountEntry, EntrySource
from jumin.people.models import Person
from jumin.people.queries import person_get

ZERO = Decimal("0.00")
SOURCE_ORDER = [value for value, _ in EntrySource.choices]


def account_person(user, pk) -> Person:
    require(user, "account.view")
    return person_get(user, pk)


def account_entries(user, person: Person):
    """All entries of ``person`` (who must be in the user's scope), oldest first."""
    require(user, "account.view")
    require_in_scope(user, person)
    return (
        AccountEntry.objects.filter(person=person)
        .select_related("reverses", "created_by", "due")
        .order_by("year", "booked_on", "pk")
    )


def balances(entries) -> dict:
    """Totals of a set of entries: by source, by year and source, and the balance.

    ``{"by_source": {source: Decimal}, "by_year": {year: {source: Decimal, "total": ...}},
    "balance": Decimal}``; sources in the ledger's order, zero sources left out."""
    rows = entries.order_by().values("year", "source").annotate(total=Sum("amount"))
    by_source: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_year: dict[int, dict] = {}
    for row in rows:
        by_source[row["source"]] += row["total"]
        year = by_year.setdefault(row["year"], {"total": ZERO})
        year[row["source"]] = year.get(row["source"], ZERO) + row["total"]
        year["total"] += row["total"]
    ordered = {source: by_source[source] for source in SOURCE_ORDER if source in by_source}
    return {
        "by_source": ordered,
        "by_year": dict(sorted(by_year.items())),
        "balance": sum(ordered.values(), ZERO),
    }


def account_summary(user, person: Person) -> dict:
    entries = account_entries(user, person)
    return {"entries": list(entries), **balances(entries)}


def entry_get(user, pk) -> AccountEntry:
    require(user, "account.view")
    return get_scoped_or_404(AccountEntry.objects.select_related("person", "reverses"), user, pk=pk)


def posted_due_get(user, person: Person, due_pk) -> Due:
    """One due of ``person`` (in the user's scope), or 404."""
    require(user, "account.view")
    return get_scoped_or_404(Due.objects.filter(person=person), user, pk=due_pk)

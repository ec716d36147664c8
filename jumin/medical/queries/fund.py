"""Reads of the pooled medical fund: the balance by coverage year and source, scoped to the
user's county (county roles only: the fund is the county's)."""

from django.db.models import Count, Sum

from jumin.core.access import require, scope
from jumin.core.money import of_aggregate
from jumin.medical.models import SCHEME, FundEntry, FundPosting, FundSource


def fund_balance(user, *, coverage_year: int | None = None) -> list[dict]:
    """One row per coverage year: the amount of each source and the balance, one grouped
    query. ``[{"coverage_year", "sources": {source: amount}, "income", "spent", "balance"}]``."""
    require(user, "medical_fund.view")
    entries = scope(FundEntry.objects.filter(scheme=SCHEME), user)  # the pooled fund only
    if coverage_year:
        entries = entries.filter(coverage_year=coverage_year)
    years: dict[int, dict] = {}
    for row in (
        entries.order_by()
        .values("coverage_year", "source")
        .annotate(amount=Sum("amount"), count=Count("pk"))
        .order_by("-coverage_year", "source")
    ):
        year = years.setdefault(
            row["coverage_year"],
            {"coverage_year": row["coverage_year"], "sources": {}, "counts": {}},
        )
        year["sources"][row["source"]] = of_aggregate(row["amount"])
        year["counts"][row["source"]] = row["count"]
    result = []
    for year in years.values():
        sources = year["sources"]
        year["rows"] = [
            (source.label, sources.get(source.value, of_aggregate(None))) for source in FundSource
        ]
        year["income"] = sum((a for a in sources.values() if a > 0), of_aggregate(None))
        year["spent"] = sum((a for a in sources.values() if a < 0), of_aggregate(None))
        year["balance"] = sum(sources.values(), of_aggregate(None))
        result.append(year)
    return result


def posting_list(user, *, limit: int = 20):
    require(user, "medical_fund.view")
    return scope(FundPosting.objects.all(), user).order_by("-created_at")[:limit]

"""Settlements debit the fund (结算记入基金): a set-based, idempotent, resumable posting run.

``post_settlements`` takes a county's settlement rows of a coverage year that are not yet in
the fund ledger, in chunks of settlement ids; per chunk, in one transaction (the county's
region row locked first, so two runs of the same county take turns), one
``INSERT ... SELECT`` per scheme and kind of row writes the fund entries of exactly those
settlements:

=====================  ===================  ==================================================
scheme                 amount               what it is
=====================  ===================  ==================================================
``medical``            ``−Settlement.basic``             the pooled basic fund (统筹基金) pays
``critical_illness``   ``−Settlement.critical_illness``  the critical-illness insurer pays
``medical_assistance`` ``−Settlement.assistance``        the medical-assistance fund pays
=====================  ===================  ==================================================

Only the ``medical`` scheme is the pooled fund whose balance is premiums and subsidies less
basic payments (``queries.fund.fund_balance``). Critical-illness insurance (大病保险) is bought
from an insurer with a slice of the pool and medical assistance (医疗救助) is the civil-affairs
fund's money: their payments are booked in the same append-only ledger under their own
scheme, so the county can reconcile with the insurer and the assistance fund, but never
reduce the basic pool's balance.

A settlement row gives a ``claim`` entry (the amount negated: money out); a reversing
settlement row (``Settlement.reverses``) gives a ``reversal`` entry (money back) that points
at the entry of the row it reverses. A re-settled claim thus nets to its new settlement.
Zero amounts write nothing. Idempotent: a settlement already in the ledger for a scheme is
skipped (and the partial unique index on settlement × scheme refuses it anyway); each chunk
commits with its audit entry, so a killed run is finished by the next.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from jumin.core import audit
from jumin.core.models import Region
from jumin.core.money import of_aggregate
from jumin.medical.models import FundEntry, FundPosting, FundSource, Settlement
from jumin.medical.models.fund import ASSISTANCE_SCHEME, CRITICAL_ILLNESS_SCHEME, SCHEME
from jumin.medical.registry import MedicalAction
from jumin.medical.services.fund import _county
from jumin.people.models import Person

CHUNK = 20000
ENTRY = FundEntry._meta.db_table
SETTLEMENT = Settlement._meta.db_table
PERSON = Person._meta.db_table
# (scheme, the settlement's column it pays)
SCHEMES = (
    (SCHEME, "basic"),
    (CRITICAL_ILLNESS_SCHEME, "critical_illness"),
    (ASSISTANCE_SCHEME, "assistance"),
)


def _insert_sql(column: str, *, reversal: bool) -> str:
    """The entries of one scheme for the chunk's settlement rows (new rows, or reversals)."""
    if reversal:
        source, reverses = (
            FundSource.REVERSAL.value,
            (
                f"(SELECT o.id FROM {ENTRY} o WHERE o.settlement_id = s.reverses_id AND o.scheme = %s)"
            ),
        )
        which = "s.reverses_id IS NOT NULL"
    else:
        source, reverses, which = FundSource.CLAIM.value, "NULL", "s.reverses_id IS NULL"
    return f"""
        INSERT INTO {ENTRY} (
            scheme, coverage_year, region_id, source, amount, due_id, reference, settlement_id,
            posting_id, reverses_id, reason, booked_on, created_by_id, created_at
        )
        SELECT %s, s.coverage_year, SUBSTR(p.village_id, 1, 6) || '000000', '{source}',
            -s.{column}, NULL, '', s.id, %s, {reverses}, s.reason, %s, %s, %s
        FROM {SETTLEMENT} s JOIN {PERSON} p ON p.id = s.person_id
        WHERE s.id >= %s AND s.id <= %s AND s.coverage_year = %s
          AND p.village_id LIKE %s AND {which} AND s.{column} <> 0
          AND NOT EXISTS (
              SELECT 1 FROM {ENTRY} e WHERE e.settlement_id = s.id AND e.scheme = %s
          )
        ORDER BY s.id
    """


def _unposted(prefix: str, year: int):
    """Settlements with an amount for some scheme that has no fund entry of that scheme yet
    (a settlement of 0.00 everywhere never gets one). NOT EXISTS (an anti-join), not NOT IN:
    PostgreSQL cannot hash a large NOT IN list."""
    missing = Q(pk__in=[])
    for scheme, column in SCHEMES:
        missing |= ~Q(**{column: 0}) & ~Exists(
            FundEntry.objects.filter(settlement_id=OuterRef("pk"), scheme=scheme)
        )
    return Settlement.objects.filter(
        coverage_year=year, person__village__pk__startswith=prefix
    ).filter(missing)


def has_unposted(*, county_prefix: str, coverage_year: int) -> bool:
    """Whether any settlement of the county's year is not yet in the fund ledger."""
    return _unposted(county_prefix, coverage_year).exists()


def post_settlements(*, acting_user, region_code, coverage_year, chunk: int = CHUNK) -> FundPosting:
    """Post a county's settlements of ``coverage_year`` not yet in the fund ledger (see the
    module doc). Returns the run, with the settlement count, entry count and amount sum."""
    county = _county(acting_user, region_code, "medical_fund.post")
    try:
        year = int(coverage_year)
    except (TypeError, ValueError):
        raise ValidationError({"coverage_year": f"参保年度“{coverage_year}”不正确"}) from None
    with transaction.atomic():
        posting = FundPosting.objects.create(
            region=county, coverage_year=year, created_by=acting_user
        )
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(timezone.now())
    today_db = ops.adapt_datefield_value(timezone.localdate())
    user_id = acting_user.pk if acting_user is not None else None
    like = county.prefix + "%"
    last_id = 0
    while True:
        ids = list(
            _unposted(county.prefix, year)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        low, high = ids[0], ids[-1]
        last_id = high
        with transaction.atomic():
            list(Region.objects.select_for_update().filter(pk=county.pk).values_list("pk"))
            entries = 0
            with connection.cursor() as cursor:
                for reversal in (False, True):  # a reversal's original is written first
                    for scheme, column in SCHEMES:
                        head = [scheme, posting.pk] + ([scheme] if reversal else [])
                        cursor.execute(
                            _insert_sql(column, reversal=reversal),
                            [*head, today_db, user_id, now_db, low, high, year, like, scheme],
                        )
                        entries += cursor.rowcount
            posted = FundEntry.objects.filter(
                posting=posting, settlement_id__gte=low, settlement_id__lte=high
            )
            counts = posted.aggregate(
                settlements=Count("settlement_id", distinct=True),
                amount=Sum("amount", filter=Q(scheme=SCHEME)),
            )
            amount = of_aggregate(counts["amount"])
            FundPosting.objects.filter(pk=posting.pk).update(
                settlement_count=F("settlement_count") + counts["settlements"],
                entry_count=F("entry_count") + entries,
                amount_sum=F("amount_sum") + amount,
            )
            audit.record(
                actor=acting_user,
                action=MedicalAction.FUND_POST_SETTLEMENTS_CHUNK,
                obj=posting,
                region_code=county.code,
                after={
                    "first_settlement": low,
                    "last_settlement": high,
                    "settlements": counts["settlements"],
                    "entries": entries,
                    "basic_amount": amount,
                },
            )
    posting.refresh_from_db()
    by_scheme = {
        f"{row['scheme']}.{row['source']}": {
            "count": row["count"],
            "amount": of_aggregate(row["amount"]),
        }
        for row in FundEntry.objects.filter(posting=posting)
        .values("scheme", "source")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("scheme", "source")
    }
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=MedicalAction.FUND_POST_SETTLEMENTS,
            obj=posting,
            region_code=county.code,
            after={
                "county": county.code,
                "coverage_year": year,
                "settlement_count": posting.settlement_count,
                "entry_count": posting.entry_count,
                "amount_sum": posting.amount_sum,
                "by_scheme": by_scheme,
            },
        )
    return posting

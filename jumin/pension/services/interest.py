"""Interest crediting (计息) on the personal accounts, POLICY §2.3.

**What earns.** The interest of year Y for a person is ``rules.year_interest`` of:

* the *opening balance of Y*: the sum of the person's entries booked on or before
  31 December of Y − 1 (``booked_on``, whatever year an entry belongs to: a back-payment
  for 2020 booked in 2025 earns from 2025; the interest of Y − 1, booked on 31 December of
  Y − 1, is in it);
* the *credits of Y*: every entry booked from 1 January to 31 December of Y with its month of
  booking (mode B and C use them), the interest entries of Y itself left out;
* the rate and the mode of the ``InterestRate`` in force for the county and year.

**The year-end job** (``interest_credit``) takes the people who live in the county now, in
chunks of person ids; per chunk, in one transaction: the standing entries of earlier rounds
of the year are reversed (a correction) and one ``INSERT … SELECT`` credits the current
round. The arithmetic is done in whole fen with integers, so SQLite and PostgreSQL give the
fen of the rule exactly: money-months ``opening × 12 + Σ credit × weight`` times the rate in
millionths, divided by 12 000 000, half-up (tested against the rule with hypothesis). One
entry per person and run (a unique constraint; the insert skips those who have one): a run
repeated, resumed after a kill or started twice at once adds nothing. A zero interest makes
no entry. The entry is booked on 31 December of Y.

**Pensioners.** A person whose benefit started in Y has the interest up to the start
credited at the award (``interest_to_start``, kind ``to_start``; even 0.00, as the record that
it was done) and gets no year-end interest for Y; from Y + 1 the remaining balance earns
again as everyone's does.

**A rate corrected later** (``interest_correct``, with a reason): a new round of the year with
the rate now in force; each chunk reverses the earlier round's standing entries (reversing
entries, the reason on them) and credits the new round, in one transaction. The later years
already credited are credited again the same way (their opening balances changed). Asking
again once the rate is the same is refused; a correction killed half-way is finished by
``interest_credit`` (the new round is the current one). Before each year's new round, the
part-year interest of the benefits that started in that year is worked out again
(``redo_to_start``: the corrected rate, or an opening balance changed by an earlier year's
correction) in one transaction: the entries that change are reversed and credited anew in a
new ``to_start`` round; the award's fixed figures are not touched.
"""

import datetime
import os
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from jumin.collection.counties import county_of
from jumin.core import audit, jobs
from jumin.core.access import in_scope, require
from jumin.core.database import refresh_statistics
from jumin.core.money import of_aggregate
from jumin.pension import rules
from jumin.pension.models import (
    AccountEntry,
    EntrySource,
    InterestKind,
    InterestRate,
    InterestRun,
)
from jumin.pension.registry import PensionAction
from jumin.people.models import Person

CHUNK = 20000
DIVISOR = 12 * 1_000_000  # twelfths of a year × the rate in millionths
ENTRY = AccountEntry._meta.db_table
RUN = InterestRun._meta.db_table
PERSON = Person._meta.db_table
INTEREST = EntrySource.INTEREST.value
FEN = "CAST(ROUND(e.amount * 100) AS BIGINT)"


def chunk_size() -> int:
    """People per chunk: ``CHUNK``, or ``JUMIN_INTEREST_CHUNK`` (the kill-and-resume test
    makes chunks small in its child process)."""
    return int(os.environ.get("JUMIN_INTEREST_CHUNK") or CHUNK)


def rate_micro(rate: Decimal) -> int:
    """The rate in millionths (the field keeps six places): 0.015 → 15000."""
    return int((Decimal(rate) * 1_000_000).to_integral_value())


def weight_sql(mode: str, year: int, months: int = 12) -> tuple[str, list]:
    """The twelfths a credit earns by its booking date, as SQL (``rules.interest_weight``):
    a CASE over the first days of the months, so no date function of one database."""
    if mode == "A":
        return "0", []
    whens, params = [], []
    for month in range(1, 13):
        weight = rules.interest_weight(mode=mode, month=month, months=months)
        if month < 12:
            whens.append(f"WHEN e.booked_on < %s THEN {weight}")
            params.append(_date(datetime.date(year, month + 1, 1)))
        else:
            whens.append(f"ELSE {weight}")
    return "CASE " + " ".join(whens) + " END", params


def money_months_sql(mode: str, year: int, months: int = 12) -> tuple[str, list]:
    """Per person of ``e`` (grouped by the caller): the money-months of year ``year`` in fen."""
    weight, weight_params = weight_sql(mode, year, months)
    sql = (
        f"CAST(SUM(CASE WHEN e.booked_on < %s THEN {FEN} ELSE 0 END) AS BIGINT) * {months} + "
        f"CAST(SUM(CASE WHEN e.booked_on >= %s AND NOT (e.source = '{INTEREST}' AND e.year = %s) "
        f"THEN {FEN} * {weight} ELSE 0 END) AS BIGINT)"
    )
    jan1 = _date(datetime.date(year, 1, 1))
    return sql, [jan1, jan1, year, *weight_params]


def half_up_fen_sql(x: str) -> str:
    """``x`` (money-months in fen × rate in millionths) ÷ 12 000 000, half-up, in integers."""
    d = DIVISOR
    return (
        f"(CASE WHEN {x} >= 0 THEN (2 * {x} + {d}) / {2 * d} "
        f"ELSE -((({d}) - 2 * {x}) / {2 * d}) END)"
    )


def _date(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _dates(year: int):
    return _date(datetime.date(year, 12, 31))


def _credit_sql(*, run: InterestRun, prefix: str) -> tuple[str, list]:
    """The chunk's INSERT … SELECT. Those credited up to a benefit start in the year are left
    out by the ids of the year's ``to_start`` runs (usually none or one), so the planner
    looks each person up by the (person, run) index instead of scanning the ledger."""
    money, money_params = money_months_sql(run.mode, run.year)
    to_start_runs = list(
        InterestRun.objects.filter(year=run.year, kind=InterestKind.TO_START).values_list(
            "pk", flat=True
        )
    )
    to_start = ""
    if to_start_runs:
        ids = ", ".join(str(int(pk)) for pk in to_start_runs)
        to_start = f"""AND NOT EXISTS (
              SELECT 1 FROM {ENTRY} x
              WHERE x.person_id = s.person_id AND x.interest_run_id IN ({ids})
                AND x.reverses_id IS NULL)"""
    fen = half_up_fen_sql("s.x")
    sql = f"""
        INSERT INTO {ENTRY} (person_id, village_id, year, source, amount, booked_on, due_id,
                             posting_id, interest_run_id, transfer_id, scheme_link_id,
                             movement, reverses_id, reason, created_by_id, created_at)
        SELECT s.person_id, p.village_id, %s, '{INTEREST}', {fen} / 100.0, %s, NULL,
               NULL, %s, NULL, NULL, '', NULL, '', %s, %s
        FROM (
            SELECT e.person_id, ({money}) * %s AS x
            FROM {ENTRY} e
            WHERE e.person_id >= %s AND e.person_id <= %s AND e.booked_on <= %s
            GROUP BY e.person_id
        ) s
        JOIN {PERSON} p ON p.id = s.person_id
        WHERE p.village_id LIKE %s
          AND {fen} <> 0
          AND NOT EXISTS (
              SELECT 1 FROM {ENTRY} x
              WHERE x.person_id = s.person_id AND x.interest_run_id = %s
                AND x.reverses_id IS NULL)
          {to_start}
    """
    return sql, money_params


def _reverse_sql() -> str:
    """Reverse the standing entries of earlier rounds of the year in a person-id range
    (``COALESCE(reverses_id, 0) = 0`` rather than ``IS NULL``: without statistics SQLite
    would take the index on ``reverses_id`` and walk the whole ledger for every chunk)."""
    return f"""
        INSERT INTO {ENTRY} (person_id, village_id, year, source, amount, booked_on, due_id,
                             posting_id, interest_run_id, transfer_id, scheme_link_id,
                             movement, reverses_id, reason, created_by_id, created_at)
        SELECT e.person_id, e.village_id, e.year, e.source, -e.amount, e.booked_on, NULL,
               NULL, e.interest_run_id, NULL, NULL, '', e.id, %s, %s, %s
        FROM {ENTRY} e JOIN {RUN} r ON r.id = e.interest_run_id
        WHERE r.region_id = %s AND r.year = %s AND r.kind = '{InterestKind.YEAR_END.value}'
          AND r.round < %s AND COALESCE(e.reverses_id, 0) = 0
          AND e.person_id >= %s AND e.person_id <= %s AND e.year = %s
          AND e.source = '{INTEREST}'
          AND NOT EXISTS (SELECT 1 FROM {ENTRY} x WHERE x.reverses_id = e.id)
    """


def rate_in_force(county_code: str, year: int) -> InterestRate:
    rate = InterestRate.objects.in_force(region_code=county_code, year=year)
    if rate is None:
        raise ValidationError({"year": f"{year}年没有记账利率，请先录入记账利率"})
    return rate


def _check_staff(acting_user, county) -> None:
    if acting_user is not None:
        require(acting_user, "interest.run")
        if not in_scope(acting_user, county.code):
            raise ValidationError({"county": "只能为本人管辖的县计息"})


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"year": f"年度“{value}”不正确"}) from None
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": f"年度“{value}”不正确"})
    return year


def _latest(county, year: int) -> InterestRun | None:
    return (
        InterestRun.objects.filter(region=county, year=year, kind=InterestKind.YEAR_END)
        .order_by("-round")
        .first()
    )


def _new_round(*, county, year, rate, acting_user, reason, progress, number) -> InterestRun:
    try:
        with transaction.atomic():
            return InterestRun.objects.create(
                region=county,
                year=year,
                kind=InterestKind.YEAR_END,
                round=number,
                rate=rate.rate,
                mode=rate.mode,
                reason=reason,
                created_by=acting_user,
                job=progress.run if progress is not None else None,
            )
    except IntegrityError:  # a concurrent start made it: use that one
        return InterestRun.objects.get(
            region=county, year=year, kind=InterestKind.YEAR_END, round=number
        )


def interest_credit(*, acting_user, region_code, year, progress=None) -> InterestRun:
    """Credit a county's year-end interest of ``year`` (see the module doc); returns the run.

    ``acting_user=None`` is the system (CLI, benchmark); staff need ``interest.run`` and the
    county in scope. Refused when the year was credited at another rate than the one in force
    now: that is a correction (``interest_correct``), which needs a reason."""
    county = county_of(region_code)
    _check_staff(acting_user, county)
    year = _year(year)
    rate = rate_in_force(county.code, year)
    if _stale_to_start(county, year, rate):
        raise ValidationError(
            {
                "year": f"{year}年待遇起始前计息所用利率与现行利率 {rate.rate}（{rate.mode}）不同："
                "请用“利率更正”重新计息并填写原因"
            }
        )
    run = _latest(county, year)
    if run is None:
        run = _new_round(
            county=county,
            year=year,
            rate=rate,
            acting_user=acting_user,
            reason="",
            progress=progress,
            number=1,
        )
    elif (run.rate, run.mode) != (rate.rate, rate.mode):
        raise ValidationError(
            {
                "year": f"{year}年已按利率 {run.rate}（{run.mode}）计息，现行利率为 {rate.rate}"
                f"（{rate.mode}）：请用“利率更正”重新计息并填写原因"
            }
        )
    return _run_chunks(run, county, acting_user=acting_user, progress=progress)


def interest_correct(*, acting_user, region_code, year, reason: str, progress=None) -> list:
    """The rate of ``year`` was corrected after crediting: credit the year again at the rate
    in force (a new round reversing the old), then every later year already credited (their
    opening balances changed). Returns the new runs."""
    county = county_of(region_code)
    _check_staff(acting_user, county)
    year = _year(year)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写更正原因"})
    if len(reason) > 200:
        raise ValidationError({"reason": "更正原因过长（最多200个字）"})
    rate = rate_in_force(county.code, year)
    run = _latest(county, year)
    stale_starts = _stale_to_start(county, year, rate)
    if run is None and not stale_starts:
        raise ValidationError({"year": f"{year}年还没有计息，不需要更正"})
    if run is not None and (run.rate, run.mode) == (rate.rate, rate.mode) and not stale_starts:
        raise ValidationError(
            {"year": f"{year}年的计息利率与现行利率相同（{rate.rate}），不需要更正"}
        )
    later = list(
        InterestRun.objects.filter(region=county, year__gt=year)
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )
    runs = []
    for each_year in [year, *later]:
        why = reason if each_year == year else f"{year}年利率更正后重算：{reason}"[:200]
        # the part-year interest of the year's benefit starts first: the year-end round
        # leaves those people out by their standing ``to_start`` entry
        redo_to_start(acting_user=acting_user, county=county, year=each_year, reason=why)
        previous = _latest(county, each_year)
        if previous is None:  # only benefit starts were credited that year
            continue
        each_rate = rate if each_year == year else rate_in_force(county.code, each_year)
        if each_year == year and (previous.rate, previous.mode) == (rate.rate, rate.mode):
            continue  # only the benefit starts were at another rate; the year-end stands
        new = _new_round(
            county=county,
            year=each_year,
            rate=each_rate,
            acting_user=acting_user,
            reason=why,
            progress=progress,
            number=previous.round + 1,
        )
        with transaction.atomic():
            audit.record(
                actor=acting_user,
                action=PensionAction.INTEREST_CORRECT,
                obj=new,
                before={"round": previous.round, "rate": previous.rate, "mode": previous.mode},
                after={"round": new.round, "rate": new.rate, "mode": new.mode},
                reason=why,
            )
        runs.append(_run_chunks(new, county, acting_user=acting_user, progress=progress))
    return runs


def _run_chunks(run: InterestRun, county, *, acting_user, progress) -> InterestRun:
    prefix = county.code[:6]
    people = Person.objects.filter(village__pk__startswith=prefix)
    if progress is not None:
        progress.start(total=people.count(), stage=f"{run.year}年结息")
    now = timezone.now()
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    dec31 = _dates(run.year)
    user_id = acting_user.pk if acting_user is not None else None
    refresh_statistics(AccountEntry)
    credit_sql, money_params = _credit_sql(run=run, prefix=prefix)
    last_id = 0
    while True:
        ids = list(
            people.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[: chunk_size()]
        )
        if not ids:
            break
        low, high = ids[0], ids[-1]
        last_id = high
        with transaction.atomic():
            jobs.exclusive(f"interest:{county.code}:{run.year}")
            with connection.cursor() as cursor:
                reversed_count = 0
                if run.round > 1:
                    cursor.execute(
                        _reverse_sql(),
                        [
                            run.reason,
                            user_id,
                            now_db,
                            county.code,
                            run.year,
                            run.round,
                            low,
                            high,
                            run.year,
                        ],
                    )
                    reversed_count = cursor.rowcount
                cursor.execute(
                    credit_sql,
                    [
                        run.year,
                        dec31,
                        run.pk,
                        user_id,
                        now_db,
                        *money_params,
                        rate_micro(run.rate),
                        low,
                        high,
                        dec31,
                        prefix + "%",
                        run.pk,
                    ],
                )
                credited = cursor.rowcount
            amount = (
                of_aggregate(
                    AccountEntry.objects.filter(
                        interest_run=run,
                        person_id__gte=low,
                        person_id__lte=high,
                        created_at=now,
                        reverses__isnull=True,
                    ).aggregate(total=Sum("amount"))["total"]
                )
                if credited
                else Decimal("0.00")
            )
            InterestRun.objects.filter(pk=run.pk).update(
                entry_count=F("entry_count") + credited, amount_sum=F("amount_sum") + amount
            )
            audit.record(
                actor=acting_user,
                action=PensionAction.INTEREST_CHUNK,
                obj=run,
                after={
                    "first_person": low,
                    "last_person": high,
                    "entries": credited,
                    "amount": amount,
                    "reversed": reversed_count,
                },
            )
        jobs.fault_point("interest_chunk")
        if progress is not None:
            progress.advance(len(ids))
    with transaction.atomic():
        InterestRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        run.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.INTEREST_RUN,
            obj=run,
            after={
                "county": county.code,
                "year": run.year,
                "round": run.round,
                "rate": run.rate,
                "mode": run.mode,
                "entry_count": run.entry_count,
                "amount_sum": run.amount_sum,
            },
        )
    if progress is not None:
        progress.finish(
            {
                "interest_run": run.pk,
                "year": run.year,
                "round": run.round,
                "entry_count": run.entry_count,
                "amount_sum": str(run.amount_sum),
            },
            f"{county.name}{run.year}年结息（第{run.round}轮）：{run.entry_count} 人，"
            f"合计 {run.amount_sum} 元",
        )
    return run


# --------------------------------------------------------------------------- to the start


def _to_start_run(county, year: int, rate: InterestRate, *, acting_user, reason="") -> InterestRun:
    """The year's ``to_start`` round at the rate in force: the latest, or a new round when the
    rate changed since (round 1 the first time)."""
    latest = (
        InterestRun.objects.filter(region=county, year=year, kind=InterestKind.TO_START)
        .order_by("-round")
        .first()
    )
    if latest is not None and (latest.rate, latest.mode) == (rate.rate, rate.mode):
        return latest
    run, _ = InterestRun.objects.get_or_create(
        region=county,
        year=year,
        kind=InterestKind.TO_START,
        round=latest.round + 1 if latest is not None else 1,
        defaults={
            "rate": rate.rate,
            "mode": rate.mode,
            "created_by": acting_user,
            "reason": reason,
        },
    )
    return run


def _stale_to_start(county, year: int, rate: InterestRate) -> bool:
    """Whether part-year interest of the year stands at another rate than ``rate``."""
    return (
        _standing_to_start(county, year)
        .exclude(interest_run__rate=rate.rate, interest_run__mode=rate.mode)
        .exists()
    )


def _standing_to_start(county, year: int):
    return AccountEntry.objects.filter(
        interest_run__region=county,
        interest_run__year=year,
        interest_run__kind=InterestKind.TO_START,
        reverses__isnull=True,
        reversed_by__isnull=True,
    )


def _to_start_amounts(people: dict, year: int, rate: InterestRate) -> dict:
    """person id → the part-year interest up to their start (``people``: id → start month),
    with ``rules.year_interest`` as ``interest_to_start`` computes it; one query for all."""
    jan1 = datetime.date(year, 1, 1)
    opening: dict[int, Decimal] = {pk: Decimal("0.00") for pk in people}
    credits: dict[int, list] = {pk: [] for pk in people}
    rows = (
        AccountEntry.objects.filter(person_id__in=list(people))
        .exclude(source=EntrySource.INTEREST, year=year)
        .values_list("person_id", "booked_on", "amount")
    )
    for person_id, booked_on, amount in rows:
        if booked_on >= people[person_id]:
            continue
        if booked_on < jan1:
            opening[person_id] += amount
        else:
            credits[person_id].append((booked_on.month, amount))
    return {
        pk: rules.year_interest(
            opening=opening[pk],
            credits=credits[pk],
            rate=rate.rate,
            mode=rate.mode,
            months=start.month - 1,
        )
        for pk, start in people.items()
    }


def redo_to_start(*, acting_user, county, year: int, reason: str) -> InterestRun | None:
    """Work out again the part-year interest of the benefits that started in ``year`` in the
    county, at the rate in force now over the ledger as it stands; the entries whose amount or
    rate changed are reversed (with ``reason``) and credited anew in a new ``to_start`` round,
    in one transaction, set-based (one read of the ledger, two bulk inserts). Returns the new
    round, or ``None`` when nothing changed (so a repeat does nothing)."""
    rate = InterestRate.objects.in_force(region_code=county.code, year=year)
    if rate is None:
        return None
    with transaction.atomic():
        jobs.exclusive(f"interest:{county.code}:{year}")
        standing = list(
            _standing_to_start(county, year).select_related("interest_run").order_by("pk")
        )
        if not standing:
            return None
        starts = {e.person_id: e.booked_on + datetime.timedelta(days=1) for e in standing}
        amounts = _to_start_amounts(starts, year, rate)
        changed = [
            entry
            for entry in standing
            if entry.amount != amounts[entry.person_id]
            or (entry.interest_run.rate, entry.interest_run.mode) != (rate.rate, rate.mode)
        ]
        if not changed:
            return None
        latest = (
            InterestRun.objects.filter(region=county, year=year, kind=InterestKind.TO_START)
            .order_by("-round")
            .first()
        )
        run = InterestRun.objects.create(
            region=county,
            year=year,
            kind=InterestKind.TO_START,
            round=latest.round + 1,
            rate=rate.rate,
            mode=rate.mode,
            reason=reason,
            created_by=acting_user,
        )
        AccountEntry.objects.bulk_create(
            [
                AccountEntry(
                    person_id=entry.person_id,
                    village_id=entry.village_id,
                    year=entry.year,
                    source=entry.source,
                    amount=-entry.amount,
                    booked_on=entry.booked_on,
                    interest_run_id=entry.interest_run_id,
                    reverses=entry,
                    reason=reason,
                    created_by=acting_user,
                )
                for entry in changed
            ]
        )
        new_entries = AccountEntry.objects.bulk_create(
            [
                AccountEntry(
                    person_id=entry.person_id,
                    village_id=entry.village_id,
                    year=year,
                    source=EntrySource.INTEREST,
                    amount=amounts[entry.person_id],
                    booked_on=entry.booked_on,
                    interest_run=run,
                    created_by=acting_user,
                )
                for entry in changed
            ]
        )
        total = sum((entry.amount for entry in new_entries), Decimal("0.00"))
        InterestRun.objects.filter(pk=run.pk).update(
            entry_count=len(new_entries), amount_sum=total, finished_at=timezone.now()
        )
        run.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=PensionAction.INTEREST_CORRECT,
            obj=run,
            before={
                "amount": sum((entry.amount for entry in changed), Decimal("0.00")),
                "entries": len(changed),
            },
            after={
                "round": run.round,
                "rate": run.rate,
                "mode": run.mode,
                "amount": total,
                "entries": len(new_entries),
            },
            reason=reason,
        )
    return run


def interest_to_start(*, acting_user, person, start_month: datetime.date):
    """Credit the interest of the part year up to a benefit start (the months before
    ``start_month``) and return the entry; idempotent per person and year (a second call
    returns the entry standing). Runs inside the caller's transaction (the award's) when
    there is one. A January start credits 0.00, the record that it was done."""
    year, months = start_month.year, start_month.month - 1
    county = county_of(person.village_id[:6])
    rate = rate_in_force(county.code, year)
    with transaction.atomic():
        existing = _standing_to_start(county, year).filter(person=person).first()
        if existing is not None:
            return existing
        run = _to_start_run(county, year, rate, acting_user=acting_user)
        jan1 = datetime.date(year, 1, 1)
        entries = AccountEntry.objects.filter(person=person, booked_on__lt=start_month)
        opening = of_aggregate(
            entries.filter(booked_on__lt=jan1).aggregate(total=Sum("amount"))["total"]
        )
        credits = [
            (booked_on.month, amount)
            for booked_on, amount in entries.filter(booked_on__gte=jan1)
            .exclude(source=EntrySource.INTEREST, year=year)
            .values_list("booked_on", "amount")
        ]
        amount = rules.year_interest(
            opening=opening, credits=credits, rate=rate.rate, mode=rate.mode, months=months
        )
        entry = AccountEntry.objects.create(
            person=person,
            village_id=person.village_id,
            year=year,
            source=EntrySource.INTEREST,
            amount=amount,
            booked_on=start_month - datetime.timedelta(days=1),
            interest_run=run,
            created_by=acting_user,
        )
        InterestRun.objects.filter(pk=run.pk).update(
            entry_count=F("entry_count") + 1, amount_sum=F("amount_sum") + amount
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.INTEREST_TO_START,
            obj=entry,
            after={
                "person": person.pk,
                "year": year,
                "months": months,
                "opening": opening,
                "rate": rate.rate,
                "mode": rate.mode,
                "amount": amount,
            },
        )
    return entry

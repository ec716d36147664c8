"""Reads of claims and settlements, always scoped: staff by the person's region, a hospital's
token by its hospital (its claims only; persons only through them)."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404

from jumin.core.access import get_scoped_or_404, scope
from jumin.core.money import ZERO, of_aggregate
from jumin.medical import settlement
from jumin.medical.models import Claim, ClaimKind, Hospital, MedicalPolicy, Settlement
from jumin.medical.services.claims import Groups, HospitalCaller, Policies, settle_person_years
from jumin.people.models import Person

LAYERS = ("basic", "critical_illness", "assistance", "patient")


def claims_visible(user, caller: HospitalCaller | None = None):
    claims = Claim.objects.select_related("person", "hospital", "person__village")
    if caller is not None:
        return claims.filter(hospital=caller.hospital)
    return scope(claims, user)


def claim_list(
    user,
    *,
    caller: HospitalCaller | None = None,
    id_number: str = "",
    invoice_number: str = "",
    hospital_code: str = "",
    kind: str = "",
    month: datetime.date | None = None,
):
    claims = claims_visible(user, caller)
    if id_number:
        claims = claims.filter(person__id_number__startswith=id_number.upper())
    if invoice_number:
        claims = claims.filter(invoice_number=invoice_number)
    if hospital_code:
        claims = claims.filter(hospital__code=hospital_code)
    if kind:
        claims = claims.filter(kind=kind)
    if month is not None:
        claims = claims.filter(discharge_date__year=month.year, discharge_date__month=month.month)
    return claims.order_by("-discharge_date", "-pk")


def claim_get(user, pk, *, caller: HospitalCaller | None = None) -> Claim:
    try:
        return claims_visible(user, caller).get(pk=int(pk))
    except (Claim.DoesNotExist, ValueError, TypeError, OverflowError) as error:
        raise Http404 from error


def current_settlement(claim: Claim) -> Settlement | None:
    return (
        Settlement.objects.select_related("policy")
        .filter(claim=claim, reverses__isnull=True, reversal__isnull=True)
        .order_by("-pk")
        .first()
    )


def settlement_history(claim: Claim) -> list[Settlement]:
    return list(Settlement.objects.filter(claim=claim).order_by("pk"))


def current_of(claim_ids) -> dict:
    """claim id → its current settlement (one query)."""
    return {
        row.claim_id: row
        for row in Settlement.objects.filter(
            claim_id__in=list(claim_ids), reverses__isnull=True, reversal__isnull=True
        )
    }


def hospitals(user):
    return scope(Hospital.objects.select_related("region"), user).order_by("code")


def hospital_get(user, pk) -> Hospital:
    return get_scoped_or_404(Hospital.objects.select_related("region"), user, pk=pk)


def person_get(user, pk) -> Person:
    return get_scoped_or_404(Person.objects.select_related("village"), user, pk=pk)


def person_year(user, person: Person, year: int) -> dict:
    """A person's medical year at a glance: claims with what each layer paid, totals, and
    what is left of each cap (from the year's accumulators after its last claim)."""
    claims = list(
        scope(Claim.objects.select_related("hospital"), user)
        .filter(person=person, coverage_year=year)
        .order_by("discharge_date", "admission_date", "pk")
    )
    current = current_of(claim.pk for claim in claims)
    totals = {layer: ZERO for layer in ("total", *LAYERS)}
    for claim in claims:
        claim.current = current.get(claim.pk)
        totals["total"] += claim.total
        if claim.current:
            for layer in LAYERS:
                totals[layer] += getattr(claim.current, layer)
    policy = MedicalPolicy.objects.in_force(region_code=person.village_id, year=year)
    caps = []
    if policy is not None:
        from jumin.medical.services.claims import CLAIM_FIELDS

        rows = list(Claim.objects.filter(person=person, coverage_year=year).values(*CLAIM_FIELDS))
        policies = Policies()
        results = settle_person_years(rows, Groups([person.pk]), policies)
        accumulated = results[-1][2].year if results else settlement.Year()
        parsed = (
            policies.parse(policy) if results else settlement.Policy.from_document(policy.document)
        )
        caps = _caps_left(parsed, accumulated)
    return {"claims": claims, "totals": totals, "policy": policy, "caps": caps}


def _caps_left(policy: settlement.Policy, year: settlement.Year) -> list[dict]:
    def row(label, cap, used):
        return {
            "label": label,
            "cap": cap,
            "used": used,
            "left": None if cap is None else max(ZERO, cap - used),
        }

    return [
        row("住院年度封顶线", policy.annual_cap, year.inpatient_paid),
        row("普通门诊统筹年度限额", policy.outpatient_yearly_cap, year.outpatient_paid),
        row("两病门诊年度限额", policy.two_disease_yearly_cap, year.two_disease_paid),
        row("门诊慢特病年度限额", policy.chronic_yearly_cap, year.chronic_paid),
        row("门诊慢特病起付线（已计入）", policy.chronic_deductible, year.chronic_deductible_used),
        row("大病保险年度封顶", policy.ci_cap, year.ci_paid),
    ]


def hospital_month(user, hospital: Hospital, month: datetime.date) -> dict:
    """A hospital's claims discharged in a month (those of the user's residents) with the
    totals by type, in two queries."""
    claims = list(
        scope(Claim.objects.select_related("person"), user)
        .filter(
            hospital=hospital,
            discharge_date__year=month.year,
            discharge_date__month=month.month,
        )
        .order_by("discharge_date", "pk")
    )
    current = current_of(claim.pk for claim in claims)
    by_kind = {
        kind: {"label": label, "count": 0, "total": ZERO, **dict.fromkeys(LAYERS, ZERO)}
        for kind, label in ClaimKind.choices
    }
    for claim in claims:
        claim.current = current.get(claim.pk)
        entry = by_kind[claim.kind]
        entry["count"] += 1
        entry["total"] += claim.total
        if claim.current:
            for layer in LAYERS:
                entry[layer] += getattr(claim.current, layer)
    overall = {"count": len(claims), "total": sum((c.total for c in claims), ZERO)}
    for layer in LAYERS:
        overall[layer] = sum((entry[layer] for entry in by_kind.values()), ZERO)
    return {"claims": claims, "by_kind": by_kind, "overall": overall}


def policies(user):
    """The policies a user may see: their region's and those above it."""
    prefix = user.region_id or "-"
    codes = {prefix[:2].ljust(12, "0"), prefix[:4].ljust(12, "0"), prefix[:6].ljust(12, "0")}
    return (
        MedicalPolicy.objects.select_related("region")
        .filter(
            Q(region_id__in=codes)
            | Q(region__pk__startswith=user.scope_prefix if user.region_id else "-")
        )
        .order_by("-coverage_year", "region_id")
    )


def policy_get(user, pk) -> MedicalPolicy:
    try:
        return policies(user).get(pk=int(pk))
    except (MedicalPolicy.DoesNotExist, ValueError, TypeError, OverflowError) as error:
        raise Http404 from error


def totals_by_kind(user, year: int) -> list[dict]:
    rows = (
        scope(Settlement.objects, user)
        .filter(coverage_year=year)
        .values("claim__kind")
        .annotate(
            count=Count("claim_id", distinct=True),
            basic=Sum("basic"),
            critical_illness=Sum("critical_illness"),
            assistance=Sum("assistance"),
        )
    )
    return [
        {
            **row,
            **{key: of_aggregate(row[key]) for key in ("basic", "critical_illness", "assistance")},
        }
        for row in rows
    ]


__all__ = ["Decimal"]

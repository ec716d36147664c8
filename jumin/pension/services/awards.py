"""Awards at 60 (待遇核定): the application, the decision and the calculation from the ledger.

``award_apply`` (village assistant, township or county clerk) records an application, once per
person (asking again returns the same one). ``award_decide`` (county clerk) approves it —
the figures are computed from the ledger with ``rules.pension_calculation``, the enrolment
moves to receiving through the enrolment's own transition, in the same transaction — or
rejects it with a reason. Both are audited.

The interest of the start's year up to the month before the start is worked out by
``part_year_interest`` (the same rule and ledger reading as the interest service) for the
estimate and the sheet, and credited at the approval by ``services.interest.interest_to_start``
in the same transaction; the two must agree to the fen or the approval is refused.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import require, require_in_scope, scope
from jumin.core.money import round_fen
from jumin.pension import rules
from jumin.pension.models import (
    HELD_STATUSES,
    AccountEntry,
    Award,
    AwardKind,
    AwardStatus,
    BenefitStandard,
    EmployeeSchemeMember,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    InterestRate,
)
from jumin.pension.registry import PensionAction
from jumin.people.models import Person
from jumin.people.rules import age_on

ZERO = Decimal("0.00")
# Sources whose year is a contribution year (the subsidies go with them, interest is not one).
CONTRIBUTION_SOURCES = (
    EntrySource.PERSONAL,
    EntrySource.GOVERNMENT_PAID,
    EntrySource.BACK_PAYMENT,
)
AWARD_FIELDS = (
    "status",
    "kind",
    "start_month",
    "contribution_years",
    "account_balance",
    "divisor",
    "account_pension",
    "basic_pension",
    "decided_on",
)
# Enrolment statuses from which a person may start receiving.
AWARDABLE_ENROLMENTS = (EnrolmentStatus.PAYING, EnrolmentStatus.PAUSED)


def today() -> datetime.date:
    return timezone.localdate()


def award_snapshot(award: Award) -> dict:
    return {field: getattr(award, field) for field in AWARD_FIELDS}


# --------------------------------------------------------------------------- reading the ledger


def contribution_years_of(person_ids) -> dict[int, int]:
    """Contribution years per person, in one query: the years with a net positive personal,
    government-paid or back-paid contribution (a reversed year does not count)."""
    rows = (
        AccountEntry.objects.filter(person_id__in=person_ids, source__in=CONTRIBUTION_SOURCES)
        .order_by()
        .values("person_id", "year")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
    )
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[row["person_id"]] += 1
    return counts


def rate_of(region_code: str):
    """``year → (rate, mode)`` from the rates in force for the region (0 when none is set)."""
    cache: dict[int, tuple[Decimal, str]] = {}

    def lookup(year: int) -> tuple[Decimal, str]:
        if year not in cache:
            row = InterestRate.objects.in_force(region_code=region_code, year=year)
            cache[year] = (row.rate, row.mode) if row else (Decimal("0"), "A")
        return cache[year]

    return lookup


def part_year_interest(person: Person, start_month: datetime.date) -> tuple[Decimal, Decimal, int]:
    """(the balance booked before the start, the interest of the start's year up to the month
    before the start, the number of months), with ``rules.year_interest`` over the ledger:
    opening = entries booked before 1 January of the start's year, credits = entries booked in
    that year before the start, by month (the year's own interest left out, as the interest
    service does). Reads only; ``award_decide`` credits it."""
    year_start = datetime.date(start_month.year, 1, 1)
    entries = AccountEntry.objects.filter(person=person, booked_on__lt=start_month)
    opening = entries.filter(booked_on__lt=year_start).balance()
    credits = [
        (row["booked_on"].month, row["amount"])
        for row in entries.filter(booked_on__gte=year_start)
        .exclude(source=EntrySource.INTEREST, year=start_month.year)
        .values("booked_on", "amount")
    ]
    in_year = sum((amount for _month, amount in credits), ZERO)
    months = start_month.month - 1
    rate, mode = rate_of(person.village_id)(start_month.year)
    interest = rules.year_interest(
        opening=opening, credits=credits, rate=rate, mode=mode, months=months
    )
    return round_fen(opening + in_year), interest, months


def standard_for(region_code: str, on: datetime.date) -> BenefitStandard:
    standard = BenefitStandard.objects.in_force(region_code=region_code, on=on)
    if standard is None:
        raise ValidationError(
            {"start_month": f"{on:%Y年%m月}没有适用的待遇标准，请县级管理员先录入待遇标准"}
        )
    return standard


# --------------------------------------------------------------------------- eligibility


def eligibility_of(
    person: Person,
    *,
    start_month: datetime.date,
    ignore: Award | None = None,
    applied_on: datetime.date | None = None,
) -> rules.Eligibility:
    standard = standard_for(person.village_id, start_month)
    held = Award.objects.filter(person=person, status__in=HELD_STATUSES)
    if ignore is not None:
        held = held.exclude(pk=ignore.pk)
    return rules.award_eligibility(
        birth_date=person.birth_date,
        on=start_month,
        death_date=person.death_date,
        local_start=standard.local_start,
        required_years=standard.required_years,
        contribution_years=contribution_years_of([person.pk]).get(person.pk, 0),
        holds_award=held.exists(),
        other_pension=EmployeeSchemeMember.objects.filter(id_number=person.id_number).exists(),
        enrolled=Enrolment.objects.filter(person=person, status__in=AWARDABLE_ENROLMENTS).exists(),
        applied_on=applied_on,
    )


def refusal(eligibility: rules.Eligibility) -> ValidationError | None:
    if eligibility.refusals:
        return ValidationError({"person": list(eligibility.refusals)})
    if eligibility.missing_years:
        return ValidationError(
            {
                "person": f"缴费年限不足：应缴{eligibility.required_years}年，已缴"
                f"{eligibility.contribution_years}年，还差{eligibility.missing_years}年"
                f"（到龄欠费，可补缴后再申请）"
            }
        )
    return None


def calculate(person: Person, *, start_month: datetime.date, kind: str, years: int):
    """The pension of ``person`` from ``start_month``: the same ``rules.pension_calculation``
    the estimator ends in."""
    standard = standard_for(person.village_id, start_month)
    balance, interest, months = part_year_interest(person, start_month)
    return rules.pension_calculation(
        ledger_balance=balance,
        part_year_interest=interest,
        interest_months=months,
        age=age_on(person.birth_date, start_month),
        standard=standard,
        contribution_years=years,
        basic_only=kind == AwardKind.BASIC_ONLY,
    )


# --------------------------------------------------------------------------- apply and decide


def award_apply(
    *, acting_user, person: Person, applied_on: datetime.date | None = None
) -> tuple[Award, bool]:
    """Record an application for the pension (待遇申请); the same person again returns the
    application already made (``created`` False). Refused with the reasons when the person
    may not be awarded (under 60, holding an award, another pension, not enrolled, dead) or is
    short of years."""
    require(acting_user, "award.apply")
    require_in_scope(acting_user, person)
    applied_on = applied_on or today()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        existing = Award.objects.filter(person=person, status=AwardStatus.APPLIED).first()
        if existing is not None:
            return existing, False
        standard = standard_for(person.village_id, rules.month_after(applied_on))
        start = rules.start_month_for(
            person.birth_date,
            applied_on=applied_on,
            local_start=standard.local_start,
            late_arrears_months=standard.late_arrears_months,
        )
        eligibility = eligibility_of(person, start_month=start, applied_on=applied_on)
        error = refusal(eligibility)
        if error is not None:
            raise error
        enrolment = Enrolment.objects.filter(person=person, status__in=AWARDABLE_ENROLMENTS).first()
        award = Award.objects.create(
            person=person,
            enrolment=enrolment,
            village_id=person.village_id,
            kind=eligibility.kind,
            status=AwardStatus.APPLIED,
            start_month=start,
            contribution_years=eligibility.contribution_years,
            applied_on=applied_on,
            applied_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.AWARD_APPLY,
            obj=award,
            after=award_snapshot(award),
        )
    return award, True


def _locked(acting_user, award: Award) -> Award:
    try:
        return scope(
            Award.objects.select_for_update(of=("self",)).select_related("person", "enrolment"),
            acting_user,
        ).get(pk=award.pk)
    except Award.DoesNotExist as error:
        raise Http404 from error


def award_decide(
    *,
    acting_user,
    award: Award,
    approve: bool,
    reason: str = "",
    on: datetime.date | None = None,
) -> Award:
    """Approve (the figures computed and stored, status active, the enrolment receiving) or
    reject (with a reason) an application. The applicant may not decide their own.

    ``award.decide`` carries the enrolment's move to receiving (the decision is what makes the
    person a receiver): no second permission (``enrolment.change``) is asked for it."""
    from jumin.pension.services.enrolment import start_receiving

    require(acting_user, "award.decide")
    on = on or today()
    reason = (reason or "").strip()
    with transaction.atomic():
        award = _locked(acting_user, award)
        if award.status != AwardStatus.APPLIED:
            raise ValidationError(
                {"status": f"该待遇状态为“{award.get_status_display()}”，不能再审核"}
            )
        if award.applied_by_id == acting_user.pk:
            raise ValidationError({"status": "受理人不能审核自己受理的申请，请由另一位经办人审核"})
        before = award_snapshot(award)
        if not approve:
            if not reason:
                raise ValidationError({"reason": "不予核定：必须填写原因"})
            award.status = AwardStatus.REJECTED
            award.end_reason = reason[:20]
            award.explanation = [{"label": "不予核定原因", "rule": reason[:200], "amount": "0"}]
            award.decided_by = acting_user
            award.decided_on = on
            award.save()
            audit.record(
                actor=acting_user,
                action=PensionAction.AWARD_REJECT,
                obj=award,
                before=before,
                after=award_snapshot(award),
                reason=reason[:200],
            )
            return award
        person = award.person
        eligibility = eligibility_of(person, start_month=award.start_month, ignore=award)
        error = refusal(eligibility)
        if error is not None:
            raise error
        calculation = calculate(
            person,
            start_month=award.start_month,
            kind=eligibility.kind,
            years=eligibility.contribution_years,
        )
        _credit_part_year_interest(acting_user, person, award.start_month, calculation)
        award.kind = eligibility.kind
        award.contribution_years = calculation.contribution_years
        award.account_balance = calculation.balance
        award.divisor = calculation.divisor
        award.account_pension = calculation.account_pension
        award.basic_pension = calculation.basic_pension
        award.explanation = calculation.explanation()
        award.status = AwardStatus.ACTIVE
        award.decided_by = acting_user
        award.decided_on = on
        enrolment = (
            award.enrolment
            or Enrolment.objects.filter(person=person, status__in=AWARDABLE_ENROLMENTS).first()
        )
        award.enrolment = enrolment
        award.save()
        award.enrolment = start_receiving(
            acting_user=acting_user,
            enrolment=enrolment,
            on=award.start_month,
            detail={"award": award.pk},
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.AWARD_APPROVE,
            obj=award,
            before=before,
            after=award_snapshot(award),
        )
    return award


def _credit_part_year_interest(acting_user, person, start_month, calculation) -> None:
    """Credit the interest up to the benefit start (when the start's year has a rate) and
    check it is the interest the sheet shows."""
    from jumin.pension.services.interest import interest_to_start

    if InterestRate.objects.in_force(region_code=person.village_id, year=start_month.year) is None:
        return
    _reverse_year_end_after_start(acting_user, person, start_month)
    entry = interest_to_start(acting_user=acting_user, person=person, start_month=start_month)
    if entry.amount != calculation.part_year_interest:
        raise ValidationError(
            {
                "start_month": f"起始月前计息{entry.amount}元与计算表的{calculation.part_year_interest}"
                "元不一致，请先核对个人账户"
            }
        )


def _reverse_year_end_after_start(acting_user, person, start_month) -> None:
    """A late application may start in a year whose year-end interest was already credited:
    that year earns only up to the start (the part-year interest credited next), so its
    standing year-end entry is reversed, with the reason."""
    standing = AccountEntry.objects.filter(
        person=person,
        source=EntrySource.INTEREST,
        year__gte=start_month.year,
        interest_run__kind="year_end",
        reverses__isnull=True,
        reversed_by__isnull=True,
    )
    reason = f"待遇自{start_month:%Y年%m月}起，当年改按起始前计息"
    reversals = AccountEntry.objects.bulk_create(
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
            for entry in standing
        ]
    )
    for reversal in reversals:
        audit.record(
            actor=acting_user,
            action=PensionAction.ACCOUNT_ENTRY_REVERSE,
            obj=reversal,
            after={"reverses": reversal.reverses_id, "amount": reversal.amount},
            reason=reason,
        )


def people_query_for_month(month: datetime.date, *, prefix: str = "") -> Q:
    """Persons whose 60th birthday falls in ``month`` (29 February included in its month);
    ``prefix="person__"`` for a model that names its person."""
    first = datetime.date(month.year - rules.PENSION_AGE, month.month, 1)
    last = rules.month_after(first) - datetime.timedelta(days=1)
    return Q(**{f"{prefix}birth_date__gte": first, f"{prefix}birth_date__lte": last})

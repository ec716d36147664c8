"""``POST /api/estimates``: 养老金测算 from a history, a grade from a year to 60, or the
person's own ledger and plan; writes nothing."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router

from jumin.core.access import require, user_county
from jumin.core.api import error_responses
from jumin.pension import rules
from jumin.pension.api.routers.awards import person_by_id_number
from jumin.pension.api.schemas import EstimateIn, EstimateOut
from jumin.pension.services import estimator
from jumin.pension.services.awards import today

router = Router(tags=["estimates"])


def estimate_input(user, payload: EstimateIn) -> estimator.EstimateInput:
    """The estimator's input from the request: history, grade from a year, or the ledger."""
    on = payload.on or today()
    person = person_by_id_number(user, payload.id_number) if payload.id_number else None
    if person is None and payload.birth_date is None:
        raise ValidationError({"birth_date": _("出生日期：不填身份证号时必须填写")})
    birth_date = person.birth_date if person else payload.birth_date
    region = payload.region or (person.village_id if person else user_county(user).ljust(12, "0"))
    region = region.ljust(12, "0")
    if payload.region and not region.startswith(user_county(user)):
        raise Http404  # parameters of another county: not this user's to see
    last = estimator.last_contribution_year(birth_date, on)
    if payload.history is not None:
        data = estimator.EstimateInput(birth_date=birth_date, region_code=region, on=on)
        data.years = [
            rules.YearCredits(
                year=row.year,
                credits=(
                    (
                        row.month,
                        row.personal
                        + row.subsidy_province
                        + row.subsidy_city
                        + row.subsidy_county
                        + row.collective
                        + row.government_paid,
                    ),
                ),
                counts=(row.personal + row.government_paid) > 0,
            )
            for row in payload.history
        ]
    elif payload.grade is not None:
        if payload.from_year is None:
            raise ValidationError({"from_year": _("起缴年度：按档次测算时必须填写")})
        data = estimator.EstimateInput(
            birth_date=birth_date,
            region_code=region,
            on=on,
            years=estimator.grade_years(
                region_code=region,
                grade=payload.grade,
                from_year=payload.from_year,
                to_year=last,
                subsidy=payload.subsidy,
            ),
        )
    elif person is not None:
        data = estimator.from_ledger(person, on=on, grade=None)
    else:
        raise ValidationError(
            {"history": _("缴费记录：请填写缴费记录、档次和起缴年度，或身份证号")}
        )
    extra = [
        rules.YearCredits(
            year=row.credited_year,
            credits=((row.month, row.amount),),
            counts=False,
            extra_years=row.years,
        )
        for row in payload.back_payments
    ]
    if payload.brought_in is not None:
        extra.append(
            rules.YearCredits(
                year=payload.brought_in.credited_year,
                credits=((1, payload.brought_in.balance),),
                counts=False,
                extra_years=payload.brought_in.years,
            )
        )
    data.years = merge_years(data.years + extra)
    data.rates = {row.year: row.rate for row in payload.rates} or None
    data.rate = payload.rate
    data.mode = payload.mode
    if payload.standard is not None:
        values = payload.standard.dict()
        divisors = dict(rules_divisors())
        divisors["60"] = values.pop("divisor_at_60")
        data.standard = {**values, "divisors": divisors}
    return data


def rules_divisors() -> dict:
    from jumin.pension.models.benefits import default_divisors

    return default_divisors()


def merge_years(years: list[rules.YearCredits]) -> list[rules.YearCredits]:
    """One entry per year: the credits, counts and extra years of several entries together."""
    merged: dict[int, rules.YearCredits] = {}
    for entry in years:
        if entry.year in merged:
            old = merged[entry.year]
            entry = rules.YearCredits(
                year=entry.year,
                credits=old.credits + entry.credits,
                counts=old.counts or entry.counts,
                extra_years=old.extra_years + entry.extra_years,
            )
        merged[entry.year] = entry
    return [merged[year] for year in sorted(merged)]


@router.post(
    "",
    response={200: EstimateOut, **error_responses(401, 403, 404, 422)},
    summary="养老金测算：到60周岁时的账户余额、个人账户养老金、基础养老金和月合计，逐步说明",
)
def estimate_endpoint(request, payload: EstimateIn):
    user = request.user
    require(user, "estimate.run")
    return estimator.pension_estimate(estimate_input(user, payload))

"""``/api/dues``: the dues (应缴) of the caller's region, read only; out of scope is 404."""

from ninja import Path, Query, Router

from jumin.core.access import masked_for
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID, paginate
from jumin.pension.api.schemas import DueFilters, DueOut, DuePage
from jumin.pension.queries import dues as queries

router = Router(tags=["collection"])


def due_out(request, due) -> dict:
    return {
        "id": due.pk,
        "person_id": due.person_id,
        "name": due.person.name,
        "id_number": masked_for(request.user, "id_number", due.person.id_number),
        "village_code": due.person.village_id,  # where the person lives now: the due's scope
        "year": due.year,
        "kind": due.kind,
        "grade": due.contribution.grade,
        "amount": due.amount,
        "subsidy_province": due.contribution.subsidy_province,
        "subsidy_city": due.contribution.subsidy_city,
        "subsidy_county": due.contribution.subsidy_county,
        "government_paid_group": due.contribution.government_paid_group,
        "status": due.status,
        "channel": due.channel,
        "paid_amount": due.paid_amount,
        "paid_on": due.paid_on,
        "payment_reference": due.payment_reference,
        "confirmed_at": due.confirmed_at,
    }


@router.get("", response={200: DuePage, **error_responses(401, 403, 422)}, summary="应缴记录")
def dues_endpoint(request, filters: Query[DueFilters]):
    rows = queries.due_list(
        request.user,
        year=filters.year,
        status=filters.status,
        village=filters.village,
        kind=filters.kind,
        channel=filters.channel,
    )
    page = paginate(rows, filters)
    return {"count": page.count, "results": [due_out(request, due) for due in page.items]}


@router.get(
    "/{due_id}",
    response={200: DueOut, **error_responses(401, 403, 404, 422)},
    summary="一条应缴记录",
)
def due_endpoint(request, due_id: int = Path(..., ge=1, le=MAX_ID)):
    return due_out(request, queries.due_get(request.user, due_id))

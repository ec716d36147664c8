"""``/api/recoveries``: the recovery cases (多发待遇追回) of the caller's region."""

from ninja import Path, Router

from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.pension.api.schemas import RecoveryOut
from jumin.pension.queries import payroll as queries

router = Router(tags=["pension"])


def recovery_out(recovery) -> dict:
    return {
        "id": recovery.pk,
        "award_id": recovery.award_id,
        "person_id": recovery.person_id,
        "name": recovery.person.name,
        "village_code": recovery.village_id,
        "death_date": recovery.death_date,
        "months": recovery.months,
        "overpaid": recovery.overpaid,
        "account_part": recovery.account_part,
        "outstanding": recovery.outstanding,
        "status": recovery.status,
        "inherited": recovery.inherited,
        "items": [
            {"kind": item.kind, "amount": str(item.amount), "recorded_on": str(item.recorded_on)}
            for item in recovery.items.all()
        ],
    }


@router.get(
    "", response={200: list[RecoveryOut], **error_responses(401, 403)}, summary="多发待遇追回"
)
def recoveries_endpoint(request):
    rows = queries.recovery_list(request.user).prefetch_related("items").order_by("-created_at")
    return [recovery_out(r) for r in rows[:500]]


@router.get(
    "/{recovery_id}",
    response={200: RecoveryOut, **error_responses(401, 403, 404, 422)},
    summary="一个追回案",
)
def recovery_endpoint(request, recovery_id: int = Path(..., ge=1, le=MAX_ID)):
    return recovery_out(queries.recovery_get(request.user, recovery_id))

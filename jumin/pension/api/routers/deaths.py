"""``/api/deaths``: reporting a death (applied at once: payment stops from the next month)
and the reports of the caller's region."""

from ninja import Router

from jumin.core.api import error_responses
from jumin.pension.api.schemas import DeathIn, DeathOut
from jumin.pension.queries import payroll as queries
from jumin.pension.services import deaths as services

router = Router(tags=["pension"])


def death_out(report, recovery_id=None) -> dict:
    return {
        "id": report.pk,
        "person_id": report.person_id,
        "name": report.person.name,
        "village_code": report.village_id,
        "death_date": report.death_date,
        "source": report.source,
        "status": report.status,
        "recovery_id": recovery_id,
    }


@router.get("", response={200: list[DeathOut], **error_responses(401, 403)}, summary="死亡报告")
def deaths_endpoint(request):
    return [
        death_out(r) for r in queries.death_report_list(request.user).order_by("-reported_at")[:500]
    ]


@router.post(
    "",
    response={200: DeathOut, **error_responses(401, 403, 404, 422)},
    summary="上报死亡（待遇从死亡次月起停发，多发的立追回案）",
)
def death_report_endpoint(request, payload: DeathIn):
    person = queries.person_with_award(request.user, payload.id_number)
    report, recovery = services.death_report(
        acting_user=request.user, person=person, death_date=payload.death_date, proof=payload.proof
    )
    return death_out(report, recovery.pk if recovery else None)

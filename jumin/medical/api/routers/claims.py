"""``/api/medical/claims``: a hospital (its ``jh_`` token) or staff submit claims, settled at
once through the three layers; trial settlement (预结算) stores nothing; reads are scoped
(a hospital token: its own claims only; staff: their region's residents).

Submitting is safe to repeat: the same submission (hospital × invoice number) answers 200 with
the claim already stored (201 when new); a different one with that invoice number is refused.
"""

import datetime

from django.core.exceptions import ValidationError
from ninja import Path, Query, Router, Status

from jumin.core.access import masked_for, require
from jumin.core.api import StaffSessionAuth, TokenAuth, error_responses
from jumin.core.schemas import MAX_ID, paginate
from jumin.medical.api.auth import HospitalTokenAuth, caller_of
from jumin.medical.api.schemas import (
    ClaimFilters,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    SettlementOut,
    TrialIn,
)
from jumin.medical.models import Claim, MedicalPolicy
from jumin.medical.queries import claims as queries
from jumin.medical.services import claims as services

router = Router(
    tags=["medical claims"], auth=[HospitalTokenAuth(), TokenAuth(), StaffSessionAuth()]
)


def claim_data(payload: ClaimIn) -> services.ClaimData:
    if payload.discharge_date < payload.admission_date:
        raise ValidationError({"discharge_date": "出院日期：早于入院日期"})
    return services.ClaimData(
        id_number=payload.id_number,
        hospital_code=payload.hospital_code,
        kind=payload.kind,
        invoice_number=payload.invoice_number,
        admission_date=payload.admission_date,
        discharge_date=payload.discharge_date,
        diagnosis=payload.diagnosis,
        total=payload.total,
        lines=[
            services.LineIn(
                name=line.name, line_class=line.line_class, amount=line.amount, code=line.code
            )
            for line in payload.lines
        ],
        special_item=payload.special_item,
        out_of_area_filed=payload.out_of_area_filed,
    )


def settlement_out(row) -> dict | None:
    if row is None:
        return None
    return {
        "policy_id": row.policy_id,
        "policy_version": row.policy_version,
        "total": row.total,
        "eligible_cost": row.eligible_cost,
        "basic": row.basic,
        "critical_illness": row.critical_illness,
        "assistance": row.assistance,
        "patient": row.patient,
        "explanation": row.explanation_steps,
    }


def claim_out(request, claim: Claim, current=None) -> dict:
    user = request.user
    caller = caller_of(request)
    id_number = (
        claim.person.id_number if caller else masked_for(user, "id_number", claim.person.id_number)
    )
    return {
        "id": claim.pk,
        "hospital_code": claim.hospital.code,
        "invoice_number": claim.invoice_number,
        "kind": claim.kind,
        "channel": claim.channel,
        "id_number": id_number,
        "name": claim.person.name,
        "coverage_year": claim.coverage_year,
        "admission_date": claim.admission_date,
        "discharge_date": claim.discharge_date,
        "diagnosis": claim.diagnosis,
        "investigation": claim.investigation,
        "total": claim.total,
        "settlement": settlement_out(
            current if current is not None else queries.current_settlement(claim)
        ),
    }


def _require_view(request):
    if caller_of(request) is None:
        require(request.user, "claim.view")


@router.get(
    "",
    response={200: ClaimPage, **error_responses(401, 403, 422)},
    summary="补偿列表（医院令牌只见本院）",
)
def claim_list_endpoint(request, filters: Query[ClaimFilters]):
    _require_view(request)
    month = None
    if filters.month:
        try:
            month = datetime.date.fromisoformat(filters.month + "-01")
        except ValueError:
            raise ValidationError({"month": "月份：格式应为 2026-03"}) from None
    rows = queries.claim_list(
        request.user,
        caller=caller_of(request),
        id_number=filters.id_number,
        invoice_number=filters.invoice_number,
        kind=filters.kind,
        month=month,
    )
    page = paginate(rows, filters)
    current = queries.current_of(claim.pk for claim in page.items)
    return {
        "items": [claim_out(request, claim, current.get(claim.pk)) for claim in page.items],
        "count": page.count,
        "offset": page.offset,
        "limit": page.limit,
    }


@router.post(
    "/trial",
    response={200: SettlementOut, **error_responses(400, 401, 403, 404, 422)},
    summary="预结算：按政策和本人本年度已结算情况试算，不保存",
)
def claim_trial_endpoint(request, payload: TrialIn):
    caller = caller_of(request)
    policy = None
    if payload.policy_id is not None:
        policy = MedicalPolicy.objects.filter(pk=payload.policy_id).first()
        if policy is None:
            raise ValidationError({"policy_id": "政策：没有这份政策"})
    checked, result = services.trial(
        acting_user=request.user, data=claim_data(payload), caller=caller, policy=policy
    )
    policy = policy or checked.policy
    return {
        "policy_id": policy.pk,
        "policy_version": policy.version,
        "total": result.total,
        "eligible_cost": result.eligible_cost,
        "basic": result.basic,
        "critical_illness": result.critical_illness,
        "assistance": result.assistance,
        "patient": result.patient,
        "explanation": result.explanation,
    }


@router.get(
    "/{claim_id}",
    response={200: ClaimOut, **error_responses(401, 403, 404, 422)},
    summary="一笔补偿及其结算和计算过程",
)
def claim_get_endpoint(request, claim_id: int = Path(..., ge=1, le=MAX_ID)):
    _require_view(request)
    return claim_out(request, queries.claim_get(request.user, claim_id, caller=caller_of(request)))


@router.post(
    "",
    response={200: ClaimOut, 201: ClaimOut, **error_responses(400, 401, 403, 404, 422)},
    summary="提交补偿并一站式结算（同一医院同一发票号重复提交返回原补偿）",
)
def claim_submit_endpoint(request, payload: ClaimIn):
    caller = caller_of(request)
    claim, created = services.claim_submit(
        acting_user=request.user, data=claim_data(payload), caller=caller
    )
    claim = (
        queries.claim_get(request.user, claim.pk, caller=caller)
        if caller
        else Claim.objects.select_related("person", "hospital").get(pk=claim.pk)
    )
    return Status(201 if created else 200, claim_out(request, claim))

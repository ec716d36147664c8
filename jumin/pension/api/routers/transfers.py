"""``/api/transfers`` (转移接续) and ``/api/scheme-links`` (制度衔接): list, get, create and
advance and cancel; seen by the staff of the counties concerned, 404 for anyone else."""

from django.http import Http404
from django.utils import timezone
from ninja import Path, Router, Status

from jumin.core.access import require
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.pension.api.schemas import (
    LinkIn,
    LinkOut,
    TransferCancelIn,
    TransferIn,
    TransferOut,
)
from jumin.pension.queries import transfers as queries
from jumin.pension.services import transfers as services
from jumin.people.queries import person_find_by_id_number
from jumin.people.rules import IdNumberError, parse_id_number

transfers_router = Router(tags=["pension"])
links_router = Router(tags=["pension"])


def _number(value: str) -> str:
    try:
        return parse_id_number(value, today=timezone.localdate()).number
    except IdNumberError:
        raise Http404 from None


def transfer_out(t) -> dict:
    return {
        "id": t.pk,
        "person_id": t.person_id,
        "name": t.person.name,
        "from_village_code": t.from_village_id,
        "to_village_code": t.to_village_id,
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "requested_on": t.requested_on,
        "accepted_on": t.accepted_on,
        "sent_on": t.sent_on,
        "booked_on": t.booked_on,
        "due_on": t.due_on,
        "late": bool(t.due_on and t.due_on < timezone.localdate()),
        "amount": t.amount,
        "by_source": t.by_source,
        "contribution_years": t.contribution_years,
        "reason": t.reason,
    }


@transfers_router.get(
    "", response={200: list[TransferOut], **error_responses(401, 403)}, summary="转移接续"
)
def transfers_endpoint(request):
    return [
        transfer_out(t) for t in queries.transfer_list(request.user).order_by("due_on", "pk")[:500]
    ]


@transfers_router.get(
    "/{transfer_id}",
    response={200: TransferOut, **error_responses(401, 403, 404)},
    summary="一笔转移接续",
)
def transfer_endpoint(request, transfer_id: int = Path(..., ge=1, le=MAX_ID)):
    return transfer_out(queries.transfer_get(request.user, transfer_id))


@transfers_router.post(
    "",
    response={201: TransferOut, **error_responses(401, 403, 404, 422)},
    summary="转入地受理转移接续（参保人在其他县缴费期间迁入本辖区的村）",
)
def transfer_create_endpoint(request, payload: TransferIn):
    require(request.user, "transfer.manage")
    person = queries.person_by_id_number(_number(payload.id_number))
    if person is None:
        raise Http404
    transfer = services.transfer_request(
        acting_user=request.user, person=person, to_village_code=payload.to_village_code
    )
    return Status(201, transfer_out(transfer))


@transfers_router.post(
    "/{transfer_id}/advance",
    response={200: TransferOut, **error_responses(401, 403, 404, 422)},
    summary="办理下一步：出具联系函（转入地）、转出（转出地）、转入记账（转入地）",
)
def transfer_advance_endpoint(request, transfer_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.user, "transfer.manage")
    transfer = queries.transfer_get(request.user, transfer_id)
    return transfer_out(services.transfer_advance(acting_user=request.user, transfer=transfer))


@transfers_router.post(
    "/{transfer_id}/cancel",
    response={200: TransferOut, **error_responses(401, 403, 404, 422)},
    summary="撤销转移接续（资金转出前，转入地或转出地，须填写原因）",
)
def transfer_cancel_endpoint(
    request, body: TransferCancelIn, transfer_id: int = Path(..., ge=1, le=MAX_ID)
):
    require(request.user, "transfer.manage")
    transfer = queries.transfer_get(request.user, transfer_id)
    return transfer_out(
        services.transfer_cancel(acting_user=request.user, transfer=transfer, reason=body.reason)
    )


def link_out(link) -> dict:
    return {
        "id": link.pk,
        "person_id": link.person_id,
        "name": link.person.name,
        "employee_years": link.employee_years,
        "required_years": link.required_years,
        "employee_balance": link.employee_balance,
        "overlap_months": link.overlap_months,
        "outcome": link.outcome,
        "status": link.status,
        "resident_years": link.resident_years,
        "refund": link.refund,
        "subsidy_reversed": link.subsidy_reversed,
        "moved_out": link.moved_out,
        "decided_on": link.decided_on,
    }


@links_router.get(
    "", response={200: list[LinkOut], **error_responses(401, 403)}, summary="制度衔接"
)
def links_endpoint(request):
    return [
        link_out(link) for link in queries.link_list(request.user).order_by("-created_at")[:500]
    ]


@links_router.get(
    "/{link_id}", response={200: LinkOut, **error_responses(401, 403, 404)}, summary="一件制度衔接"
)
def link_endpoint(request, link_id: int = Path(..., ge=1, le=MAX_ID)):
    return link_out(queries.link_get(request.user, link_id))


@links_router.post(
    "",
    response={201: LinkOut, **error_responses(401, 403, 404, 422)},
    summary="登记制度衔接（计算衔接方式和重复缴费退还，尚不记账）",
)
def link_create_endpoint(request, payload: LinkIn):
    require(request.user, "link.manage")
    person = person_find_by_id_number(request.user, _number(payload.id_number))
    if person is None:
        raise Http404
    link = services.link_create(
        acting_user=request.user,
        person=person,
        employee_years=payload.employee_years,
        employee_balance=payload.employee_balance,
        overlap_months=payload.overlap_months,
    )
    return Status(201, link_out(link))


@links_router.post(
    "/{link_id}/decide",
    response={200: LinkOut, **error_responses(401, 403, 404, 422)},
    summary="办结制度衔接（退还、冲回、转出或转入记账）",
)
def link_decide_endpoint(request, link_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.user, "link.manage")
    link = queries.link_get(request.user, link_id)
    return link_out(services.link_decide(acting_user=request.user, link=link))

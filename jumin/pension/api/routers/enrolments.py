"""``/api/enrolments``: list, register, look at, approve / reject, pause / resume, close, and
the grade per person and year (``PUT /api/enrolments/grades``).

Thin: each endpoint calls one query or service of ``jumin.pension``. Registering is safe to
repeat: a person already pending or enrolled answers 200 with the existing enrolment (201
when a new one is made). Setting the same grade again changes nothing.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from jumin.core.access import masked_for, require
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID
from jumin.pension.api.schemas import (
    CloseIn,
    EnrolmentDetail,
    EnrolmentFilter,
    EnrolmentPage,
    GradeIn,
    GradeOut,
    PauseIn,
    RegisterIn,
    RejectIn,
    ResumeIn,
)
from jumin.pension.models import Enrolment, EnrolmentStatus
from jumin.pension.queries import enrolment as queries
from jumin.pension.services import enrolment as services
from jumin.people import queries as people_queries
from jumin.people.rules import IdNumberError, parse_id_number

router = Router(tags=["enrolments"])


# --------------------------------------------------------------------------- schemas


# --------------------------------------------------------------------------- shaping


def enrolment_out(user, enrolment: Enrolment) -> dict:
    person = enrolment.person
    return {
        "id": enrolment.pk,
        "person_id": person.pk,
        "id_number": masked_for(user, "id_number", person.id_number),
        "name": person.name,
        "village_code": person.village_id,  # where the person lives now: the enrolment's scope
        "village_name": person.village.name,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        "applied_on": enrolment.applied_on,
        "full_time_student": enrolment.full_time_student,
        "first_grade": enrolment.first_grade,
        "registered_on": enrolment.registered_on,
        "rejection_reason": enrolment.rejection_reason,
        "pause_reason": enrolment.pause_reason,
        "close_reason": enrolment.close_reason,
        "closed_on": enrolment.closed_on,
        "note": enrolment.note,
    }


def enrolment_detail(user, enrolment: Enrolment) -> dict:
    return {
        **enrolment_out(user, enrolment),
        "events": [
            {
                "kind": event.kind,
                "kind_label": str(event.get_kind_display()),
                "reason": event.reason,
                "detail": event.detail,
                "actor": str(event.actor),
                "at": event.at,
            }
            for event in queries.enrolment_events(user, enrolment)
        ],
    }


def _person(user, raw: str):
    """The person with this ID number in the user's scope; a 422 naming ``id_number``."""
    try:
        number = parse_id_number(raw, today=services.today()).number
    except IdNumberError as error:
        raise ValidationError({"id_number": f"身份证号：{error.message}"}) from None
    person = people_queries.person_find_by_id_number(user, number)
    if person is None:
        raise ValidationError({"id_number": _("身份证号：没有找到这个人员，或不在您的管辖范围内")})
    return person


def _fresh(user, enrolment: Enrolment) -> dict:
    return enrolment_detail(user, queries.enrolment_get(user, enrolment.pk))


# --------------------------------------------------------------------------- reads


@router.get(
    "",
    response={200: EnrolmentPage, **error_responses(401, 403, 404, 422)},
    summary="参保登记列表（按状态、村筛选，分页）",
)
def enrolment_list_endpoint(request, filters: Query[EnrolmentFilter]):
    user = request.user
    if filters.status and filters.status not in EnrolmentStatus.values:
        raise ValidationError(
            {"status": _("状态：只能是%(values)s") % {"values": "、".join(EnrolmentStatus.values)}}
        )
    if filters.village:
        people_queries.village_get(user, filters.village)  # 404 outside the scope
    rows = queries.enrolment_list(
        user, status=filters.status, village=filters.village, mine=filters.mine
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "count": rows.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [
            enrolment_out(user, enrolment) for enrolment in rows[start : start + filters.page_size]
        ],
    }


# Declared before "/{enrolment_id}" so that the literal path is matched first.
@router.put(
    "/grades",
    response={200: GradeOut, **error_responses(400, 401, 403, 422)},
    summary="某人某年的缴费档次（可重复提交）",
)
def grade_put_endpoint(request, payload: GradeIn):
    user = request.user
    require(user, "grade.choose")
    person = _person(user, payload.id_number)
    choice = services.grade_choose(
        acting_user=user, person=person, year=payload.year, amount=payload.amount
    )
    return {
        "person_id": person.pk,
        "id_number": masked_for(user, "id_number", person.id_number),
        "year": choice.year,
        "amount": choice.amount,
    }


@router.get(
    "/{enrolment_id}",
    response={200: EnrolmentDetail, **error_responses(401, 403, 404, 422)},
    summary="一条参保登记及其办理记录",
)
def enrolment_get_endpoint(request, enrolment_id: int = Path(..., ge=1, le=MAX_ID)):
    return enrolment_detail(request.user, queries.enrolment_get(request.user, enrolment_id))


# --------------------------------------------------------------------------- writes


@router.post(
    "",
    response={200: EnrolmentDetail, 201: EnrolmentDetail, **error_responses(400, 401, 403, 422)},
    summary="参保登记（可安全重试：已在办或已参保的返回 200 和原登记）",
)
def enrolment_register_endpoint(request, payload: RegisterIn):
    user = request.user
    require(user, "enrolment.register")
    person = _person(user, payload.id_number)
    enrolment, created = services.enrolment_register(
        acting_user=user,
        person=person,
        applied_on=payload.applied_on,
        full_time_student=payload.full_time_student,
        grade=payload.grade,
        note=payload.note,
    )
    return Status(201 if created else 200, _fresh(user, enrolment))


def _act(request, enrolment_id: int, call):
    user = request.user
    enrolment = queries.enrolment_get(user, enrolment_id)
    call(user, enrolment)
    return _fresh(user, enrolment)


ACT_RESPONSES = {200: EnrolmentDetail, **error_responses(400, 401, 403, 404, 422)}


@router.post("/{enrolment_id}/approve", response=ACT_RESPONSES, summary="审核通过（乡镇或县级）")
def enrolment_approve_endpoint(request, enrolment_id: int = Path(..., ge=1, le=MAX_ID)):
    return _act(
        request,
        enrolment_id,
        lambda user, enrolment: services.enrolment_approve(acting_user=user, enrolment=enrolment),
    )


@router.post("/{enrolment_id}/reject", response=ACT_RESPONSES, summary="退回（须填原因）")
def enrolment_reject_endpoint(
    request, payload: RejectIn, enrolment_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _act(
        request,
        enrolment_id,
        lambda user, enrolment: services.enrolment_reject(
            acting_user=user, enrolment=enrolment, reason=payload.reason
        ),
    )


@router.post("/{enrolment_id}/pause", response=ACT_RESPONSES, summary="暂停缴费")
def enrolment_pause_endpoint(
    request, payload: PauseIn, enrolment_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _act(
        request,
        enrolment_id,
        lambda user, enrolment: services.enrolment_pause(
            acting_user=user, enrolment=enrolment, reason=payload.reason, note=payload.note
        ),
    )


@router.post("/{enrolment_id}/resume", response=ACT_RESPONSES, summary="恢复缴费")
def enrolment_resume_endpoint(
    request, payload: ResumeIn | None = None, enrolment_id: int = Path(..., ge=1, le=MAX_ID)
):
    note = payload.note if payload is not None else ""
    return _act(
        request,
        enrolment_id,
        lambda user, enrolment: services.enrolment_resume(
            acting_user=user, enrolment=enrolment, note=note
        ),
    )


@router.post("/{enrolment_id}/close", response=ACT_RESPONSES, summary="注销登记")
def enrolment_close_endpoint(
    request, payload: CloseIn, enrolment_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _act(
        request,
        enrolment_id,
        lambda user, enrolment: services.enrolment_close(
            acting_user=user,
            enrolment=enrolment,
            reason=payload.reason,
            closed_on=payload.closed_on,
            note=payload.note,
        ),
    )

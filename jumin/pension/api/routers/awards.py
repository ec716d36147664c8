"""``/api/awards``: the list and one award with its calculation sheet's figures, the people
turning 60 in a month with their eligibility, an application (safe to repeat: the same
person's application again answers 200 with it) and the decision."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from jumin.core.access import masked_for, require
from jumin.core.api import error_responses
from jumin.core.schemas import MAX_ID, paginate
from jumin.pension.api.schemas import (
    AwardApplyIn,
    AwardDecideIn,
    AwardFilters,
    AwardOut,
    AwardPage,
    TurningSixtyFilters,
    TurningSixtyOut,
)
from jumin.pension.models import Award, AwardStatus
from jumin.pension.queries import awards as queries
from jumin.pension.services import awards as services
from jumin.people import queries as people_queries
from jumin.people.rules import IdNumberError, parse_id_number

router = Router(tags=["awards"])


def award_out(user, award: Award) -> dict:
    person = award.person
    return {
        "id": award.pk,
        "person_id": person.pk,
        "name": person.name,
        "id_number": masked_for(user, "id_number", person.id_number),
        "village_code": person.village_id,
        "kind": award.kind,
        "status": award.status,
        "status_label": str(award.get_status_display()),
        "start_month": award.start_month,
        "contribution_years": award.contribution_years,
        "account_balance": award.account_balance,
        "divisor": award.divisor,
        "account_pension": award.account_pension,
        "basic_pension": award.basic_pension,
        "monthly_total": award.account_pension + award.basic_pension,
        "applied_on": award.applied_on,
        "decided_on": award.decided_on,
        "explanation": award.explanation,
    }


def month_of(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationError({"month": _("月份：格式应为 2026-12")}) from None


def person_by_id_number(user, raw: str):
    try:
        number = parse_id_number(raw, today=services.today()).number
    except IdNumberError as error:
        raise ValidationError({"id_number": f"身份证号：{error.message}"}) from None
    person = people_queries.person_find_by_id_number(user, number)
    if person is None:
        raise ValidationError({"id_number": _("身份证号：没有找到这个人员，或不在您的管辖范围内")})
    return person


@router.get(
    "",
    response={200: AwardPage, **error_responses(401, 403, 404, 422)},
    summary="养老金待遇列表（按状态、村、起始月筛选）",
)
def award_list_endpoint(request, filters: Query[AwardFilters]):
    user = request.user
    if filters.status and filters.status not in AwardStatus.values:
        raise ValidationError({"status": _("状态：只能是%s") % "、".join(AwardStatus.values)})
    if filters.village:
        people_queries.village_get(user, filters.village)
    rows = queries.award_list(
        user, status=filters.status, village=filters.village, start_month=filters.start_month
    )
    page = paginate(rows, filters)
    return {
        "count": page.count,
        "offset": page.offset,
        "limit": page.limit,
        "items": [award_out(user, award) for award in page.items],
    }


@router.get(
    "/turning-60",
    response={200: list[TurningSixtyOut], **error_responses(401, 403, 404, 422)},
    summary="某月年满60周岁的人员及其待遇资格（含到龄欠费）",
)
def turning_60_endpoint(request, filters: Query[TurningSixtyFilters]):
    user = request.user
    month = month_of(filters.month)
    if filters.village:
        people_queries.village_get(user, filters.village)
    rows = queries.turning_60(user, month=month, village=filters.village)
    return [
        {
            "person_id": row.person.pk,
            "name": row.person.name,
            "id_number": masked_for(user, "id_number", row.person.id_number),
            "village_code": row.person.village_id,
            "birth_date": row.person.birth_date,
            "start_month": row.start_month,
            "kind": row.eligibility.kind if row.eligibility else "",
            "contribution_years": row.eligibility.contribution_years if row.eligibility else 0,
            "required_years": row.eligibility.required_years if row.eligibility else 0,
            "missing_years": row.eligibility.missing_years if row.eligibility else 0,
            "eligible": bool(row.eligibility and row.eligibility.eligible),
            "refusals": list(row.eligibility.refusals) if row.eligibility else ["没有待遇标准"],
            "award_id": row.award.pk if row.award else None,
        }
        for row in rows
    ]


@router.post(
    "",
    response={200: AwardOut, 201: AwardOut, **error_responses(401, 403, 404, 422)},
    summary="受理待遇申请（同一人重复提交返回已有申请）",
)
def award_apply_endpoint(request, payload: AwardApplyIn):
    user = request.user
    require(user, "award.apply")
    person = person_by_id_number(user, payload.id_number)
    award, created = services.award_apply(
        acting_user=user, person=person, applied_on=payload.applied_on
    )
    return Status(201 if created else 200, award_out(user, queries.award_get(user, award.pk)))


@router.get(
    "/{award_id}",
    response={200: AwardOut, **error_responses(401, 403, 404, 422)},
    summary="一项养老金待遇及其计算表",
)
def award_get_endpoint(request, award_id: int = Path(..., ge=1, le=MAX_ID)):
    return award_out(request.user, queries.award_get(request.user, award_id))


@router.post(
    "/{award_id}/decide",
    response={200: AwardOut, **error_responses(401, 403, 404, 422)},
    summary="审核待遇申请：核定（计算并开始领取）或不予核定（须填原因）",
)
def award_decide_endpoint(
    request, payload: AwardDecideIn, award_id: int = Path(..., ge=1, le=MAX_ID)
):
    user = request.user
    require(user, "award.decide")
    award = queries.award_get(user, award_id)
    award = services.award_decide(
        acting_user=user, award=award, approve=payload.approve, reason=payload.reason
    )
    return award_out(user, queries.award_get(user, award.pk))

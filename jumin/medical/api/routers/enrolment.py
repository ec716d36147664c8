"""``/api/medical/enrolments`` (list, get, register), ``/api/medical/financing`` (read),
``/api/medical/fund`` (balance by coverage year and source) and
``/api/medical/participation`` (参保率). Thin: one query or service each; scoped like the
pages (out of scope: 404). Registering is safe to repeat: the same person and year answers
200 with the enrolment made the first time (201 when it is new)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from jumin.core.access import masked_for, require
from jumin.core.api import error_responses
from jumin.core.models import Region
from jumin.core.schemas import MAX_ID
from jumin.medical.api.enrolment_schemas import (
    FinancingOut,
    FundYearOut,
    MedicalEnrolmentDetail,
    MedicalEnrolmentFilter,
    MedicalEnrolmentPage,
    MedicalRegisterIn,
    ParticipationFilter,
    ParticipationRowOut,
)
from jumin.medical.models import CoverageStatus, MedicalEnrolment
from jumin.medical.queries import enrolment as queries
from jumin.medical.queries import fund as fund_queries
from jumin.medical.queries import participation as participation_queries
from jumin.medical.services import enrolment as services
from jumin.people import queries as people_queries
from jumin.people.rules import IdNumberError, parse_id_number

enrolments_router = Router(tags=["medical-enrolments"])
financing_router = Router(tags=["medical-financing"])
fund_router = Router(tags=["medical-fund"])
participation_router = Router(tags=["medical-participation"])


def enrolment_out(user, enrolment: MedicalEnrolment) -> dict:
    person = enrolment.person
    return {
        "id": enrolment.pk,
        "person_id": person.pk,
        "id_number": masked_for(user, "id_number", person.id_number),
        "name": person.name,
        "village_code": person.village_id,
        "coverage_year": enrolment.coverage_year,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        "enrolled_on": enrolment.enrolled_on,
        "paid_on": enrolment.paid_on,
        "covered_from": enrolment.covered_from,
        "waiting_reason": enrolment.waiting_reason,
        "premium": enrolment.premium,
        "assistance": enrolment.assistance,
        "assistance_kind": enrolment.assistance_kind,
        "subsidy": enrolment.subsidy,
    }


def enrolment_detail(user, enrolment: MedicalEnrolment) -> dict:
    return {
        **enrolment_out(user, enrolment),
        "dues": list(
            queries.dues_of(enrolment).values(
                "id",
                "scheme",
                "kind",
                "amount",
                "subsidy",
                "status",
                "channel",
                "paid_on",
                "payment_reference",
            )
        ),
    }


@enrolments_router.get(
    "",
    response={200: MedicalEnrolmentPage, **error_responses(401, 403, 404, 422)},
    summary="居民医保参保列表（按年度、状态、村筛选，分页）",
)
def enrolment_list_endpoint(request, filters: Query[MedicalEnrolmentFilter]):
    user = request.user
    if filters.status and filters.status not in CoverageStatus.values:
        raise ValidationError(
            {"status": _("状态：只能是%(values)s") % {"values": "、".join(CoverageStatus.values)}}
        )
    if filters.village:
        people_queries.village_get(user, filters.village)  # 404 outside the scope
    rows = queries.enrolment_list(
        user, coverage_year=filters.coverage_year, status=filters.status, village=filters.village
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "count": rows.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [enrolment_out(user, e) for e in rows[start : start + filters.page_size]],
    }


@enrolments_router.get(
    "/{enrolment_id}",
    response={200: MedicalEnrolmentDetail, **error_responses(401, 403, 404, 422)},
    summary="一条居民医保参保及其应缴、待遇享受起始日",
)
def enrolment_get_endpoint(request, enrolment_id: int = Path(..., ge=1, le=MAX_ID)):
    return enrolment_detail(request.user, queries.enrolment_get(request.user, enrolment_id))


@enrolments_router.post(
    "",
    response={
        200: MedicalEnrolmentDetail,
        201: MedicalEnrolmentDetail,
        **error_responses(400, 401, 403, 404, 422),
    },
    summary="居民医保参保登记（可安全重试：同一人同一年度返回 200 和原登记）",
)
def enrolment_register_endpoint(request, payload: MedicalRegisterIn):
    user = request.user
    require(user, "medical_enrolment.register")
    try:
        number = parse_id_number(payload.id_number, today=timezone.localdate()).number
    except IdNumberError as error:
        raise ValidationError({"id_number": f"身份证号：{error.message}"}) from None
    person = people_queries.person_find_by_id_number(user, number)
    if person is None:
        raise ValidationError({"id_number": _("身份证号：没有找到这个人员，或不在您的管辖范围内")})
    existed = (
        MedicalEnrolment.objects.filter(person=person, coverage_year=payload.coverage_year)
        .exclude(status=CoverageStatus.CANCELLED)
        .exists()
    )
    enrolment = services.enrolment_register(
        acting_user=user,
        person=person,
        coverage_year=payload.coverage_year,
        on=payload.enrolled_on,
    )
    return Status(
        200 if existed else 201, enrolment_detail(user, queries.enrolment_get(user, enrolment.pk))
    )


@financing_router.get(
    "",
    response={200: list[FinancingOut], **error_responses(401, 403)},
    summary="居民医保筹资标准（按参保年度，含医疗救助资助参保规则）",
)
def financing_list_endpoint(request):
    return [
        {
            **{
                name: getattr(row, name)
                for name in (
                    "id",
                    "coverage_year",
                    "premium",
                    "subsidy",
                    "window_start",
                    "window_end",
                    "waiting_months",
                    "extra_from_second_break_year",
                    "newborn_days",
                    "document_number",
                )
            },
            "region_code": row.region_id,
            "assistance_rules": [
                {
                    name: getattr(rule, name)
                    for name in ("kind", "detail", "precedence", "mode", "amount", "share")
                }
                for rule in row.assistance_rules.all()
            ],
        }
        for row in queries.financing_list(request.user)
    ]


@fund_router.get(
    "",
    response={200: list[FundYearOut], **error_responses(401, 403, 422)},
    summary="居民医保统筹基金：按参保年度和来源的收支与结余",
)
def fund_balance_endpoint(request, coverage_year: int | None = Query(None, ge=2000, le=2100)):
    return fund_queries.fund_balance(request.user, coverage_year=coverage_year)


@participation_router.get(
    "",
    response={200: list[ParticipationRowOut], **error_responses(401, 403, 404, 422)},
    summary="居民医保参保率（按乡镇或村，含目标）",
)
def participation_endpoint(request, filters: Query[ParticipationFilter]):
    user = request.user
    region = user.region
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise Http404
    rows = participation_queries.participation(
        user, region=region, coverage_year=filters.coverage_year
    )
    return [
        {
            "code": row.code,
            "name": row.name,
            "residents": row.residents,
            "enrolled": row.enrolled,
            "insured": row.insured,
            "rate": row.rate,
            "target_rate": row.target_rate,
        }
        for row in rows
    ]

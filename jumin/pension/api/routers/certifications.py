"""``/api/certifications``: recording a life certification (资格认证) and the due list."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from jumin.core.api import error_responses
from jumin.pension.api.schemas import CertificationDueOut, CertificationIn, CertificationOut
from jumin.pension.models import CertificationChannel
from jumin.pension.queries import payroll as queries
from jumin.pension.services import certification as services

router = Router(tags=["pension"])


class DueFilter(Schema):
    months: int = NinjaField(2, ge=0, le=12, description="几个月内到期（默认 2）")


@router.post(
    "",
    response={200: CertificationOut, **error_responses(401, 403, 404, 422)},
    summary="登记资格认证（上门认证须在页面上传照片）",
)
def certification_endpoint(request, payload: CertificationIn):
    person = queries.person_with_award(request.user, payload.id_number)
    if payload.channel == CertificationChannel.HOME_VISIT:
        raise ValidationError({"channel": "上门认证须在页面上传照片"})
    certification, created = services.certification_record(
        acting_user=request.user,
        person=person,
        certified_on=payload.certified_on,
        channel=payload.channel,
        note=payload.note,
    )
    return {
        "id": certification.pk,
        "person_id": person.pk,
        "name": person.name,
        "certified_on": certification.certified_on,
        "channel": certification.channel,
        "next_due_on": certification.next_due_on,
        "created": created,
    }


@router.get(
    "/due",
    response={200: list[CertificationDueOut], **error_responses(401, 403, 422)},
    summary="待认证名单（到期及逾期）",
)
def certification_due_endpoint(request, filters: Query[DueFilter]):
    rows = queries.certification_due_list(
        request.user, on=timezone.localdate(), months=filters.months
    )
    return [
        {
            "award_id": row["award"].pk,
            "person_id": row["person"].pk,
            "name": row["person"].name,
            "village_code": row["village"].code,
            "due": row["due"],
            "overdue": row["overdue"],
            "suspended": row["suspended"],
        }
        for row in rows[:5000]
    ]

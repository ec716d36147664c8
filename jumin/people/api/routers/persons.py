"""``/api/persons``: search, look at, register and change persons.

Thin: each endpoint checks the role, calls one query or service of ``jumin.people`` and
shapes the answer. Scoping, validation, auditing and masking rules live in those layers;
here only the names differ: the API says ``village_code`` where the services say
``village_id``.

Registering is safe to repeat: sending the same person again answers 200 with the stored
record and writes nothing; the same ID number with other data answers 409.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from jumin.core.access import masked_for, require
from jumin.core.api import ApiError, error_responses
from jumin.people import fields, queries, services
from jumin.people.api.schemas import (
    PersonDetail,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
)
from jumin.people.fields import Kind
from jumin.people.models import Person
from jumin.people.rules import IdNumberError, parse_id_number

router = Router(tags=["persons"])

MAX_ID = 2**63 - 1  # the largest value a BigAutoField holds on SQLite and PostgreSQL
# service field → API field, where they differ (``village_id`` → ``village_code``)
API_NAMES = {f.name: f.api_field for f in fields.PERSON_FIELDS if f.api_field != f.name}
SERVICE_NAMES = {api: service for service, api in API_NAMES.items()}


# --------------------------------------------------------------------------- shaping


def _shaped(user, person: Person, person_fields) -> dict:
    """The answer's values for ``person_fields``, masked as the role sees them."""
    shaped = {"id": person.pk}
    for person_field in person_fields:
        value = fields.stored_value(person, person_field)
        if person_field.masked_as:
            value = masked_for(user, person_field.masked_as, value)
        shaped[person_field.api_field] = value
        if person_field.kind == Kind.VILLAGE:
            shaped["village_name"] = person.village.name
    return shaped


def person_out(user, person: Person) -> dict:
    return {**_shaped(user, person, fields.PERSON_FIELDS), "updated_at": person.updated_at}


def person_detail(user, person: Person) -> dict:
    township = person.village.parent
    statuses = queries.special_status_list(user, person, on=services.today())
    return {
        **person_out(user, person),
        "township_code": township.code if township else None,
        "township_name": township.name if township else None,
        "special_statuses": [
            {
                "id": status.pk,
                "kind": status.kind,
                "kind_label": str(status.get_kind_display()),
                "detail": status.detail,
                "valid_from": status.valid_from,
                "valid_to": status.valid_to,
                "in_force": status.is_in_force,
                "source": status.source,
            }
            for status in statuses
        ],
    }


def list_item(user, person: Person) -> dict:
    return _shaped(user, person, fields.LISTED)


def service_data(payload: Schema) -> dict:
    """The fields the caller sent, under the names the services use."""
    return {
        SERVICE_NAMES.get(key, key): value
        for key, value in payload.model_dump(exclude_unset=True).items()
    }


@contextlib.contextmanager
def api_field_names():
    """Re-raise a service's ValidationError with the field names the API uses."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {API_NAMES.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from error


# --------------------------------------------------------------------------- reads


@router.get(
    "",
    response={200: PersonPage, **error_responses(401, 404, 422)},
    summary="查找参保人（身份证号或姓名开头）",
)
def person_search_endpoint(request, filters: Query[PersonFilter]):
    user = request.user
    if filters.q and filters.q.strip():
        # limit=None: the whole match, so the page and the count can be taken from it
        persons = queries.person_search(user, filters.q, limit=None)
    else:
        persons = queries.person_list(user).select_related("village").order_by("id_number")
    if filters.village:
        persons = persons.filter(village=queries.village_get(user, filters.village))
    page = persons[filters.offset : filters.offset + filters.limit]
    return {
        "count": persons.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [list_item(user, person) for person in page],
    }


@router.get(
    "/{person_id}",
    response={200: PersonDetail, **error_responses(401, 404, 422)},
    summary="一位参保人的详细信息（记入操作记录）",
)
def person_get_endpoint(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = queries.person_view(request.user, person_id)
    return person_detail(request.user, person)


# --------------------------------------------------------------------------- writes


def _normalised_id_number(raw: str) -> str | None:
    try:
        return parse_id_number(raw, today=services.today()).number
    except IdNumberError:
        return None


def _repeat_or_conflict(user, person: Person, data: dict) -> Person:
    """The stored person if ``data`` says nothing different; else a 409 naming the fields."""
    clean, errors = services.clean_person_fields(data, on=services.today())
    if errors:
        with api_field_names():
            raise ValidationError(errors)
    different = [
        field
        for field in data
        if field != "id_number"
        and clean.get(field) != fields.stored_value(person, fields.field(field))
    ]
    if different:
        names = [API_NAMES.get(field, field) for field in different]
        raise ConflictWithStored(names)
    return person


class ConflictWithStored(ApiError):
    def __init__(self, fields: list[str]):
        super().__init__(
            409,
            "conflict",
            _("该身份证号已经登记，以下内容与已登记的不同：%(fields)s。如需修改请用 PATCH。")
            % {"fields": "、".join(fields)},
        )
        self.fields = fields


def _is_duplicate(error: ValidationError) -> bool:
    if not hasattr(error, "error_dict"):
        return False
    return any(
        getattr(item, "code", None) == "duplicate" for item in error.error_dict.get("id_number", [])
    )


@router.post(
    "",
    response={200: PersonOut, 201: PersonOut, **error_responses(400, 401, 403, 409, 422)},
    summary="登记参保人（可安全重试：相同内容再次提交返回 200，不重复登记）",
)
def person_create_endpoint(request, payload: PersonIn):
    user = request.user
    require(user, "person.edit")
    data = service_data(payload)
    id_number = _normalised_id_number(data["id_number"])
    existing = queries.person_find_by_id_number(user, id_number) if id_number else None
    if existing is not None:
        return Status(200, person_out(user, _repeat_or_conflict(user, existing, data)))
    try:
        with api_field_names():
            person = services.person_create(acting_user=user, data=data)
    except ValidationError as error:
        if not _is_duplicate(error):
            raise
        # Registered meanwhile by a concurrent request, or registered outside this area.
        existing = queries.person_find_by_id_number(user, id_number) if id_number else None
        if existing is None:
            raise ApiError(
                409, "conflict", _("该身份证号已经登记，但不在您的管辖范围内，请联系县级经办机构")
            ) from error
        return Status(200, person_out(user, _repeat_or_conflict(user, existing, data)))
    return Status(201, person_out(user, person))


@router.patch(
    "/{person_id}",
    response={200: PersonOut, **error_responses(400, 401, 403, 404, 422)},
    summary="修改参保人信息（只改提交的字段）",
)
def person_update_endpoint(
    request, payload: PersonPatch, person_id: int = Path(..., ge=1, le=MAX_ID)
):
    user = request.user
    require(user, "person.edit")
    person = queries.person_get(user, person_id)
    data = service_data(payload)
    reason = data.pop("reason", "") or ""
    if not data:
        raise ValidationError(_("没有要修改的内容"))
    with api_field_names():
        person = services.person_update(acting_user=user, person=person, data=data, reason=reason)
    return person_out(user, queries.person_get(user, person.pk))

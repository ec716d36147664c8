"""The shapes of the people API: what ``/api/persons`` and ``/api/imports`` take and give.

A person's shapes are built from the field spec (``jumin.people.fields``): a field added there
appears in the requests and the answers, under its API name (``village_code``)."""

import datetime
import uuid

from ninja import Field, Schema
from pydantic import ConfigDict, create_model

from jumin.core.api import PlainText
from jumin.core.schemas import Date
from jumin.people import fields
from jumin.people.fields import Kind
from jumin.people.models import SpecialStatusKind

ERRORS_IN_ANSWER = 20


class SpecialStatusOut(Schema):
    id: int
    kind: str = Field(description=", ".join(SpecialStatusKind.values))
    kind_label: str
    detail: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    in_force: bool = Field(description="今天是否有效")
    source: str


def _out_fields(person_fields) -> dict:
    """What a person's answer holds for ``person_fields``: a village as its code and name, a
    masked field as the role sees it."""
    shaped: dict = {"id": (int, ...)}
    for person_field in person_fields:
        description = str(person_field.label)
        if person_field.masked_as:
            description += "；无查看权限的角色看到的是打码后的号码"
        if person_field.kind == Kind.CHOICE:
            description += "：" + ", ".join(person_field.choices.values)
            description += "" if person_field.identity else " or empty"
        if person_field.kind == Kind.VILLAGE:
            shaped[person_field.api_field] = (str, Field(description=description))
            shaped["village_name"] = (str, ...)
        elif person_field.kind == Kind.DATE:
            kind = datetime.date if person_field.identity else datetime.date | None
            shaped[person_field.api_field] = (kind, Field(description=description))
        else:
            shaped[person_field.api_field] = (str, Field(description=description))
    return shaped


PersonOut = create_model(
    "PersonOut",
    __base__=Schema,
    __module__=__name__,
    **_out_fields(fields.PERSON_FIELDS),
    updated_at=(datetime.datetime, ...),
)


class PersonDetail(PersonOut):
    township_code: str | None
    township_name: str | None
    special_statuses: list[SpecialStatusOut]


PersonListItem = create_model(
    "PersonListItem", __base__=Schema, __module__=__name__, **_out_fields(fields.LISTED)
)


class PersonPage(Schema):
    count: int = Field(description="符合条件的总人数")
    limit: int
    offset: int
    items: list[PersonListItem]


class PersonFilter(Schema):
    q: PlainText | None = Field(
        None, max_length=50, description="身份证号开头几位（或完整号码），或姓名开头几个字"
    )
    village: PlainText | None = Field(None, pattern=r"^\d{12}$", description="村（社区）代码")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


def _in_field(person_field, *, required: bool) -> tuple:
    """A request field. Its length only guards against absurd input; the services give the
    precise Chinese message for anything shorter (wrong ID length, a name over 50, ...)."""
    description = str(person_field.api_help or person_field.label)
    if person_field.kind == Kind.DATE:
        return Date | None, Field(None, description=description)
    length = person_field.input_max_length
    if required:
        return PlainText, Field(max_length=length, description=description)
    return PlainText | None, Field(None, max_length=length, description=description)


PersonIn = create_model(
    "PersonIn",
    __base__=StrictSchema,
    __module__=__name__,
    **{f.api_field: _in_field(f, required=f.required) for f in fields.REGISTERED},
)
PersonPatch = create_model(
    "PersonPatch",
    __base__=StrictSchema,
    __module__=__name__,
    __doc__='Only the fields sent change; ``null`` or ``""`` clears an optional field.',
    **{f.api_field: _in_field(f, required=False) for f in fields.EDITABLE},
    reason=(PlainText, Field("", max_length=500, description="修改原因，记入操作记录")),
)


# --------------------------------------------------------------------------- imports


class ImportErrorOut(Schema):
    row: int | None = Field(description="Excel 中看到的行号；整个文件的问题为 null")
    column: str = Field(description="列名（表头）")
    value: str
    message: str = Field(description="中文错误原因")


class ImportOut(Schema):
    id: int
    job_id: uuid.UUID
    file_name: str
    file_sha256: str
    mode: str = Field(description="all_or_nothing 或 valid_only")
    status: str = Field(
        description="queued, running, done, failed or interrupted (its process stopped; "
        "starting the same work again resumes it)"
    )
    status_label: str
    stage: str
    done: int
    total: int
    percent: int
    outcome: str = Field(
        description="imported、rejected（全部正确才导入时有错误）、refused（文件无法读取）；未完成时为空"
    )
    message: str = Field(description="中文摘要")
    encoding: str
    rows_total: int
    rows_added: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    errors: list[ImportErrorOut] = Field(description=f"前 {ERRORS_IN_ANSWER} 条错误")
    errors_count: int
    errors_url: str | None = Field(description="错误清单 Excel 的地址；没有错误时为 null")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

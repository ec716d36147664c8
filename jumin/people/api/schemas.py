"""The shapes of the people API: what ``/api/persons`` and ``/api/imports`` take and give."""

import datetime
import uuid

from ninja import Field, Schema
from pydantic import ConfigDict

from jumin.core.api import PlainText
from jumin.core.schemas import Date
from jumin.people.models import HukouType, SpecialStatusKind

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


class PersonOut(Schema):
    id: int
    id_number: str = Field(description="身份证号；无查看权限的角色看到的是打码后的号码")
    name: str
    sex: str = Field(description="male or female")
    birth_date: datetime.date
    village_code: str
    village_name: str
    household_number: str
    relation_to_head: str
    hukou_type: str = Field(description=", ".join(HukouType.values) + " or empty")
    phone: str
    passbook_number: str
    social_security_card_number: str
    death_date: datetime.date | None
    updated_at: datetime.datetime


class PersonDetail(PersonOut):
    township_code: str | None
    township_name: str | None
    special_statuses: list[SpecialStatusOut]


class PersonListItem(Schema):
    id: int
    id_number: str
    name: str
    sex: str
    birth_date: datetime.date
    village_code: str
    village_name: str
    phone: str
    death_date: datetime.date | None


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


# Lengths here only guard against absurd input; the services give the precise Chinese
# message for anything shorter (wrong ID length, a name over 50 characters, ...).
class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=64, description="18位身份证号（15位旧号自动转换）")
    name: PlainText = Field(max_length=200)
    village_code: PlainText = Field(max_length=64, description="12位村（社区）代码")
    sex: PlainText | None = Field(None, max_length=8, description="可不填；填则须与身份证号一致")
    birth_date: Date | None = Field(None, description="可不填；填则须与身份证号一致")
    household_number: PlainText | None = Field(None, max_length=30)
    relation_to_head: PlainText | None = Field(None, max_length=20)
    hukou_type: PlainText | None = Field(None, max_length=20)
    phone: PlainText | None = Field(None, max_length=64)
    passbook_number: PlainText | None = Field(None, max_length=64)
    social_security_card_number: PlainText | None = Field(None, max_length=64)
    death_date: Date | None = None


class PersonPatch(Schema):
    """Only the fields sent change; ``null`` or ``""`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: PlainText | None = Field(None, max_length=200)
    village_code: PlainText | None = Field(None, max_length=64)
    household_number: PlainText | None = Field(None, max_length=30)
    relation_to_head: PlainText | None = Field(None, max_length=20)
    hukou_type: PlainText | None = Field(None, max_length=20)
    phone: PlainText | None = Field(None, max_length=64)
    passbook_number: PlainText | None = Field(None, max_length=64)
    social_security_card_number: PlainText | None = Field(None, max_length=64)
    death_date: Date | None = None
    reason: PlainText = Field("", max_length=500, description="修改原因，记入操作记录")


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

"""Schemas of the medical claims API."""

import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from jumin.core.api import PlainText
from jumin.core.schemas import Amount, Date, Paging


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: PlainText = Field("", max_length=40, description="项目编码")
    name: PlainText = Field(max_length=100, description="项目名称")
    line_class: str = Field(pattern=r"^(a|b|self)$", description="a 甲类，b 乙类，self 自费")
    amount: Amount


class ClaimIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=64, description="18位身份证号")
    hospital_code: PlainText = Field(max_length=30, description="医疗机构编码")
    kind: PlainText = Field(
        max_length=24,
        description="inpatient, outpatient_pooling, two_disease, chronic_outpatient, "
        "childbirth, accidental_injury, special_item",
    )
    invoice_number: PlainText = Field(max_length=40, description="医院发票号（与医院一起唯一）")
    admission_date: Date
    discharge_date: Date
    diagnosis: PlainText = Field(max_length=10, description="ICD-10，如 I10 或 K35.8")
    total: Amount
    lines: list[LineIn] = Field(max_length=500)
    special_item: PlainText = Field(
        "", max_length=40, description="特殊项目编码，如 rabies_vaccine"
    )
    out_of_area_filed: bool = False


class TrialIn(ClaimIn):
    policy_id: int | None = Field(None, ge=1, description="按哪一份政策试算，不填为适用的政策")


class SettlementStepOut(Schema):
    step: str
    parameter: str
    amount: Decimal


class SettlementOut(Schema):
    policy_id: int
    policy_version: int
    total: Decimal
    eligible_cost: Decimal
    basic: Decimal
    critical_illness: Decimal
    assistance: Decimal
    patient: Decimal
    explanation: list[SettlementStepOut]


class ClaimOut(Schema):
    id: int
    hospital_code: str
    invoice_number: str
    kind: str
    channel: str
    id_number: str = Field(description="按角色打码")
    name: str
    coverage_year: int
    admission_date: datetime.date
    discharge_date: datetime.date
    diagnosis: str
    investigation: str
    total: Decimal
    settlement: SettlementOut | None


class ClaimPage(Schema):
    items: list[ClaimOut]
    count: int
    offset: int
    limit: int


class ClaimFilters(Paging):
    id_number: str = Field("", max_length=18, pattern=r"^[0-9Xx]*$")
    invoice_number: str = Field("", max_length=40)
    kind: str = Field("", max_length=24)
    month: str = Field(
        "", max_length=7, pattern=r"^(\d{4}-\d{2})?$", description="出院月份 2026-03"
    )

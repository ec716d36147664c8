"""Schemas of the enrolment, financing, fund and participation API (H4)."""

import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from jumin.core.api import PlainText
from jumin.core.schemas import Date


class MedicalDueOut(Schema):
    id: int
    scheme: str
    kind: str
    amount: Decimal
    subsidy: Decimal
    status: str
    channel: str
    paid_on: datetime.date | None
    payment_reference: str


class MedicalEnrolmentOut(Schema):
    id: int
    person_id: int
    id_number: str = Field(description="按角色打码")
    name: str
    village_code: str = Field(description="参保人现在所在的村（社区）代码")
    coverage_year: int
    status: str
    status_label: str
    enrolled_on: datetime.date
    paid_on: datetime.date | None
    covered_from: datetime.date | None
    waiting_reason: str
    premium: Decimal
    assistance: Decimal
    assistance_kind: str
    subsidy: Decimal


class MedicalEnrolmentDetail(MedicalEnrolmentOut):
    dues: list[MedicalDueOut]


class MedicalEnrolmentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MedicalEnrolmentOut]


class MedicalEnrolmentFilter(Schema):
    coverage_year: int | None = Field(None, ge=2000, le=2100)
    status: PlainText | None = Field(None, max_length=20, description="pending, covered, cancelled")
    village: PlainText | None = Field(None, pattern=r"^\d{12}$", description="村（社区）代码")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=200)


class MedicalRegisterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=64, description="18位身份证号")
    coverage_year: int = Field(ge=2000, le=2100, description="参保年度（所保的年度）")
    enrolled_on: Date | None = Field(None, description="登记日期，不填为今天")


class AssistanceRuleOut(Schema):
    kind: str
    detail: str
    precedence: int
    mode: str
    amount: Decimal | None
    share: Decimal | None


class FinancingOut(Schema):
    id: int
    coverage_year: int
    region_code: str
    premium: Decimal
    subsidy: Decimal
    window_start: datetime.date
    window_end: datetime.date
    waiting_months: int
    extra_from_second_break_year: bool
    newborn_days: int
    document_number: str
    assistance_rules: list[AssistanceRuleOut]


class FundYearOut(Schema):
    coverage_year: int
    sources: dict[str, Decimal]
    income: Decimal
    spent: Decimal
    balance: Decimal


class ParticipationRowOut(Schema):
    code: str
    name: str
    residents: int
    enrolled: int
    insured: int
    rate: Decimal | None
    target_rate: Decimal | None


class ParticipationFilter(Schema):
    coverage_year: int = Field(ge=2000, le=2100)
    region: PlainText | None = Field(
        None, pattern=r"^\d{12}$", description="区划代码，不填为本人辖区"
    )

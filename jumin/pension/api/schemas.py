"""Schemas of the pension API: dues (应缴), posting runs (记账), personal accounts and
enrolments."""

import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from jumin.core.api import PlainText
from jumin.core.schemas import Amount, Date, Paging
from jumin.pension.models import CloseReason, EnrolmentStatus, PauseReason


class DueOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str = Field(description="按角色打码")
    village_code: str = Field(description="参保人现在所在的村（社区）代码")
    year: int
    kind: str
    grade: Decimal
    amount: Decimal
    subsidy_province: Decimal
    subsidy_city: Decimal
    subsidy_county: Decimal
    government_paid_group: str
    status: str
    channel: str
    paid_amount: Decimal | None
    paid_on: datetime.date | None
    payment_reference: str
    confirmed_at: datetime.datetime | None


class DueFilters(Paging):
    year: int | None = Field(None, ge=2000, le=2100)
    status: str = Field("", max_length=12)
    village: str = Field("", max_length=12, pattern=r"^\d*$", description="区划代码前缀")
    kind: str = Field("", max_length=20)
    channel: str = Field("", max_length=12)


class DuePage(Schema):
    count: int
    results: list[DueOut]


class PostingOut(Schema):
    id: int
    region_code: str
    year: int
    created_at: datetime.datetime
    due_count: int
    entry_count: int
    amount_sum: Decimal
    job_id: str | None


class PostingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)


class PostingStartOut(Schema):
    """The posting job a start made or found (``JobOut`` of ``/api/jobs`` is the job itself)."""

    job_id: str
    status: str
    started_now: bool


# --------------------------------------------------------------------------- accounts


class EntryOut(Schema):
    id: int
    year: int
    source: str
    source_label: str
    amount: Decimal
    booked_on: datetime.date
    due_id: int | None
    posting_id: int | None
    reverses_id: int | None
    reversed: bool
    reason: str


class AccountOut(Schema):
    person_id: int
    name: str
    id_number: str = Field(description="无查看权限的角色看到的是打码后的号码")
    village_code: str
    village_name: str
    balance: Decimal
    by_source: dict[str, Decimal]
    by_year: dict[str, dict[str, Decimal]]
    entries: list[EntryOut]


class ReverseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=200, description="冲正原因")


# --------------------------------------------------------------------------- enrolments


class EventOut(Schema):
    kind: str
    kind_label: str
    reason: str
    detail: dict
    actor: str
    at: datetime.datetime


class EnrolmentOut(Schema):
    id: int
    person_id: int
    id_number: str = Field(description="身份证号；无查看权限的角色看到的是打码后的号码")
    name: str
    village_code: str = Field(description="参保人现在所在的村（社区）代码")
    village_name: str
    status: str = Field(description=", ".join(EnrolmentStatus.values))
    status_label: str
    applied_on: datetime.date
    full_time_student: bool
    first_grade: Decimal | None
    registered_on: datetime.date | None
    rejection_reason: str
    pause_reason: str
    close_reason: str
    closed_on: datetime.date | None
    note: str


class EnrolmentDetail(EnrolmentOut):
    events: list[EventOut]


class EnrolmentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EnrolmentOut]


class EnrolmentFilter(Schema):
    status: PlainText | None = Field(None, description=", ".join(EnrolmentStatus.values))
    village: PlainText | None = Field(None, pattern=r"^\d{12}$", description="村（社区）代码")
    mine: bool = Field(False, description="只列出当前角色待审核的")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=200)


class RegisterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=64, description="18位身份证号")
    applied_on: Date | None = Field(None, description="申请日期，不填为今天")
    full_time_student: bool = False
    grade: Amount | None = Field(None, description="缴费档次（元），不填则按最低档")
    note: PlainText = Field("", max_length=200)


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=200, description="退回原因")


class PauseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=20, description=", ".join(PauseReason.values))
    note: PlainText = Field("", max_length=200)


class ResumeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: PlainText = Field("", max_length=200)


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=20, description=", ".join(CloseReason.values))
    closed_on: Date | None = Field(None, description="注销日期，不填为今天")
    note: PlainText = Field("", max_length=200)


class GradeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=64)
    year: int = Field(ge=2000, le=2100)
    amount: Amount = Field(description="缴费档次（元）")


class GradeOut(Schema):
    person_id: int
    id_number: str
    year: int
    amount: Decimal


# --------------------------------------------------------------------------- payroll


class PayrollOut(Schema):
    id: int
    region_code: str
    month: str = Field(description="YYYY-MM")
    status: str
    build_finished: bool
    line_count: int
    amount_sum: Decimal
    failed_count: int
    built_by: str | None
    approved_by: str | None
    approval_deadline: datetime.date


class PayrollLineOut(Schema):
    id: int
    award_id: int
    name: str
    id_number: str = Field(description="按角色打码")
    village_code: str
    month_for: str
    kind: str
    basic: Decimal
    account_part: Decimal
    from_account: Decimal
    total: Decimal
    status: str
    bank_reason: str


class PayrollLinePage(Schema):
    count: int
    results: list[PayrollLineOut]


class PayrollBuildIn(Schema):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(max_length=7, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class JobStartOut(Schema):
    job_id: str
    status: str
    started_now: bool


class CertificationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=18)
    certified_on: Date
    channel: str = Field(max_length=2, description="01 柜台 02 手机 04 自助终端 07 数据比对")
    note: PlainText = Field("", max_length=200)


class CertificationOut(Schema):
    id: int
    person_id: int
    name: str
    certified_on: datetime.date
    channel: str
    next_due_on: datetime.date
    created: bool = True


class CertificationDueOut(Schema):
    award_id: int
    person_id: int
    name: str
    village_code: str
    due: datetime.date
    overdue: bool
    suspended: bool


class DeathIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=18)
    death_date: Date
    proof: PlainText = Field("", max_length=200)


class DeathOut(Schema):
    id: int
    person_id: int
    name: str
    village_code: str
    death_date: datetime.date
    source: str
    status: str
    recovery_id: int | None = None


class RecoveryOut(Schema):
    id: int
    award_id: int
    person_id: int
    name: str
    village_code: str
    death_date: datetime.date
    months: int
    overpaid: Decimal
    account_part: Decimal
    outstanding: Decimal
    status: str
    inherited: Decimal | None
    items: list[dict]

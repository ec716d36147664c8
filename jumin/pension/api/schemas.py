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


# --------------------------------------------------------------------------- statements, interest


class RightsStatementSourceOut(Schema):
    source: str
    label: str
    months: list[Decimal] = Field(description="1–12 月按记账月份的记入金额")
    total: Decimal


class RightsStatementOut(Schema):
    """个人权益记录 of a year."""

    person_id: int
    name: str
    id_number: str = Field(description="按角色打码")
    year: int
    opening: Decimal = Field(description="年初余额：上年12月31日及以前记账的合计")
    sources: list[RightsStatementSourceOut]
    credits: Decimal
    interest: Decimal
    closing: Decimal
    contribution_years: int


class RateOut(Schema):
    region_code: str
    region_name: str
    year: int
    rate: Decimal = Field(description="记账利率（小数，0.015 = 1.5%）")
    mode: str = Field(description="A 仅年初余额计息；B 当年记账全年计息；C 按月计息")
    document_number: str


class InterestRunOut(Schema):
    id: int
    region_code: str
    year: int
    kind: str
    round: int
    rate: Decimal
    mode: str
    entry_count: int
    amount_sum: Decimal
    reason: str
    finished_at: datetime.datetime | None
    job_id: str | None


class InterestRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100)


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


# --------------------------------------------------------------------------- transfers, links


class TransferOut(Schema):
    id: int
    person_id: int
    name: str
    from_village_code: str
    to_village_code: str
    status: str
    status_label: str
    requested_on: datetime.date
    accepted_on: datetime.date | None
    sent_on: datetime.date | None
    booked_on: datetime.date | None
    due_on: datetime.date | None = Field(description="本步骤期限（15个工作日）")
    late: bool
    amount: Decimal
    by_source: dict[str, Decimal]
    contribution_years: int
    reason: str = Field("", description="撤销原因（已撤销时）")


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(max_length=18)
    to_village_code: str = Field(max_length=12, description="转入村（社区）12位代码")


class TransferCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


class LinkOut(Schema):
    id: int
    person_id: int
    name: str
    employee_years: int
    required_years: Decimal
    employee_balance: Decimal
    overlap_months: dict[str, int]
    outcome: str
    status: str
    resident_years: int
    refund: Decimal
    subsidy_reversed: Decimal
    moved_out: Decimal
    decided_on: datetime.date | None


class LinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(max_length=18)
    employee_years: int = Field(ge=0, le=60)
    employee_balance: Amount = Field(description="职保个人账户余额（元）")
    overlap_months: dict[str, int] = Field(
        default_factory=dict, description='重复缴费月数，按年度：{"2019": 6}'
    )


# --------------------------------------------------------------------------- estimator, awards


class HistoryYearIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100)
    personal: Amount = Decimal("0")
    subsidy_province: Amount = Decimal("0")
    subsidy_city: Amount = Decimal("0")
    subsidy_county: Amount = Decimal("0")
    collective: Amount = Decimal("0")
    government_paid: Amount = Decimal("0")
    month: int = Field(3, ge=1, le=12, description="记账月份（C方式计息用）")


class BackPaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    years: int = Field(ge=1, le=15, description="补缴了几个年度")
    amount: Amount = Field(description="补缴金额合计（含补贴）")
    credited_year: int = Field(ge=1990, le=2100, description="记入账户的年度")
    month: int = Field(12, ge=1, le=12)


class BroughtInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    balance: Amount = Field(description="转入的个人账户余额")
    years: int = Field(ge=0, le=60, description="转入的缴费年限")
    credited_year: int = Field(ge=1990, le=2100)


class RateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100)
    rate: Decimal = Field(ge=0, le=1, max_digits=7, decimal_places=6, description="0.015 = 1.5%")


class StandardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    central_minimum: Amount
    local_top_up: Amount = Decimal("0")
    extra_per_year: Amount = Decimal("0")
    extra_after_years: int = Field(15, ge=0, le=99)
    required_years: int = Field(15, ge=1, le=99)
    divisor_at_60: int = Field(139, ge=1, le=400)
    local_start: Date | None = None


class EstimateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(
        "", max_length=64, description="参保人身份证号：用其出生日期、账户和档次"
    )
    birth_date: Date | None = Field(None, description="不填身份证号时必填")
    region: str = Field(
        "", max_length=12, pattern=r"^\d{0,12}$", description="区划代码，默认本人所在村"
    )
    on: Date | None = Field(None, description="测算日期，默认今天")
    history: list[HistoryYearIn] | None = Field(None, max_length=80)
    back_payments: list[BackPaymentIn] = Field(default_factory=list, max_length=20)
    brought_in: BroughtInIn | None = None
    grade: Amount | None = Field(None, description="按某档次逐年缴费到60周岁")
    from_year: int | None = Field(None, ge=1990, le=2100)
    subsidy: Amount | None = Field(None, description="每年补贴，不填按缴费方案")
    rate: Decimal | None = Field(None, ge=0, le=1, max_digits=7, decimal_places=6)
    rates: list[RateIn] = Field(default_factory=list, max_length=80)
    mode: str | None = Field(None, pattern=r"^[ABC]$")
    standard: StandardIn | None = None


class CalculationStepOut(Schema):
    label: str
    rule: str
    amount: Decimal


class EstimateOut(Schema):
    start_month: datetime.date
    age: int
    balance_before_start: Decimal
    balance_at_start: Decimal
    divisor: int
    contribution_years: int
    account_pension: Decimal
    basic_pension: Decimal
    monthly_total: Decimal
    steps: list[CalculationStepOut]
    years: list[CalculationStepOut]


class AwardOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str = Field(description="按角色打码")
    village_code: str
    kind: str
    status: str
    status_label: str
    start_month: datetime.date
    contribution_years: int
    account_balance: Decimal
    divisor: int
    account_pension: Decimal
    basic_pension: Decimal
    monthly_total: Decimal
    applied_on: datetime.date
    decided_on: datetime.date | None
    explanation: list[CalculationStepOut]


class AwardFilters(Paging):
    status: str = Field("", max_length=20)
    village: str = Field("", max_length=12, pattern=r"^\d*$")
    start_month: Date | None = None


class AwardPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[AwardOut]


class TurningSixtyOut(Schema):
    person_id: int
    name: str
    id_number: str
    village_code: str
    birth_date: datetime.date
    start_month: datetime.date
    kind: str
    contribution_years: int
    required_years: int
    missing_years: int
    eligible: bool
    refusals: list[str]
    award_id: int | None


class TurningSixtyFilters(Schema):
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="年满60周岁的月份 2026-12")
    village: str = Field("", max_length=12, pattern=r"^\d*$")


class AwardApplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_number: PlainText = Field(max_length=64)
    applied_on: Date | None = None


class AwardDecideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: PlainText = Field("", max_length=200)


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

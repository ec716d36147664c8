"""The shapes of the collection API: what its endpoints take and give (see ``routers/``)."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from jumin.collection.queries.deposits import OVERDUE_KINDS
from jumin.core.api import PlainText
from jumin.core.schemas import MAX_ID, Amount, Date, Id, Paging

# --------------------------------------------------------------------------- receipt books and receipts


class BookOut(Schema):
    id: int
    series: str
    first_number: int
    last_number: int
    status: str
    holder: str
    holder_region_code: str
    issued: int
    voided: int
    lost: int
    unused: int
    money_deposited: bool
    registered_at: datetime.datetime


class ReceiptOut(Schema):
    id: int
    book_id: int
    series: str
    number: int
    reference: str = Field(description="字轨-票号，即应缴记录的缴费凭证")
    status: str
    due_id: int | None
    person_id: int | None = Field(description="缴费人；已迁出本辖区的为空（票据照原样保留）")
    payer_name: str
    amount: Decimal | None
    contribution_year: int | None
    village_code: str
    issued_on: datetime.date
    void_reason: str
    deposit_id: int | None
    deposit_status: str | None


class BookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    series: PlainText = Field(max_length=20)
    first_number: int = Field(ge=1, le=2_000_000_000)
    last_number: int = Field(ge=1, le=2_000_000_000)


class HandoverIn(Schema):
    model_config = ConfigDict(extra="forbid")

    receiver_id: int = Field(ge=1, le=MAX_ID, description="接收人（工作人员）编号")
    note: PlainText = Field("", max_length=200)


class IssueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=2_000_000_000)
    due_id: int = Field(ge=1, le=MAX_ID, description="所缴的应缴记录")
    amount: Amount = Field(description="实收金额，须等于应缴金额")
    payer_name: PlainText = Field("", max_length=50, description="交款人；不填为缴费人本人")
    issued_on: Date | None = Field(None, description="开票日期；不填为今天")


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=200)


class LostIn(ReasonIn):
    number: int = Field(ge=1, le=2_000_000_000)


class ReceiptFilters(Paging):
    book: int | None = Field(None, ge=1, le=MAX_ID)
    village: str = Field("", max_length=12, pattern=r"^(\d{12})?$")
    status: str = Field("", max_length=16)
    year: int | None = Field(None, ge=2000, le=2100)
    series: str = Field("", max_length=20)
    number: int | None = Field(None, ge=1, le=2_000_000_000)
    undeposited: bool = Field(False, description="只列已开未缴存的票据")


class ReceiptPage(Schema):
    count: int
    results: list[ReceiptOut]


# --------------------------------------------------------------------------- deposits and the overdue list


class DepositOut(Schema):
    id: int
    village_code: str
    bank: str
    slip_number: str
    deposited_on: datetime.date
    amount: Decimal
    depositor_name: str
    status: str
    receipt_ids: list[int]
    recorded_at: datetime.datetime
    township_checked_at: datetime.datetime | None
    county_checked_at: datetime.datetime | None
    return_reason: str


class DepositIn(Schema):
    model_config = ConfigDict(extra="forbid")

    village_code: PlainText = Field(max_length=12, description="村（社区）代码")
    bank: PlainText = Field(max_length=40)
    slip_number: PlainText = Field(max_length=40)
    deposited_on: Date
    amount: Amount
    depositor_name: PlainText = Field(max_length=50)
    receipt_ids: list[Id] = Field(max_length=5000, description="这次缴存所含票据的编号")


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(max_length=200, description="退回原因")


class DepositFilters(Paging):
    township: str = Field("", pattern=r"^(\d{12})?$")
    village: str = Field("", pattern=r"^(\d{12})?$")
    status: str = Field("", max_length=20)


class DepositPage(Schema):
    count: int
    results: list[DepositOut]


class OverdueFilters(Schema):
    on: Date = Field(description="截至哪一天（含）")
    township: str = Field("", pattern=r"^(\d{12})?$")
    village: str = Field("", pattern=r"^(\d{12})?$")


class OverdueRowOut(Schema):
    kind: str = Field(description=", ".join(OVERDUE_KINDS))
    kind_label: str
    township_code: str
    village_code: str
    reference: str
    name: str
    amount: Decimal
    deadline: datetime.date
    days: int = Field(
        description="逾期天数（逾期未办：截至日期减截止日；逾期已办：办理日减截止日）"
    )
    receipt_id: int | None
    deposit_id: int | None


class OverdueSummaryOut(Schema):
    region_code: str
    region_name: str
    level: int
    counts: dict[str, int]
    undeposited_amount: Decimal


class OverdueOut(Schema):
    on: datetime.date
    rows: list[OverdueRowOut]
    summary: list[OverdueSummaryOut]


# --------------------------------------------------------------------------- reconciliation and bank statements


class DifferenceOut(Schema):
    kind: str
    label: str
    text: str
    blocking: bool
    village: str = ""
    village_name: str = ""


class ReconciliationOut(Schema):
    id: int
    region_code: str
    region_name: str
    month: str = Field(description="YYYY-MM")
    status: str
    roster_count: int
    receipt_count: int
    receipt_sum: Decimal
    deposit_sum: Decimal
    statement_sum: Decimal
    blocking_count: int
    differences: list[DifferenceOut]
    computed_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    confirmed_by: str | None


class ReconciliationFilters(Schema):
    month: str | None = Field(None, max_length=10, description="YYYY-MM")
    region: str | None = Field(None, max_length=12, description="区划代码（含下级）")


class ComputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    region_code: PlainText = Field(max_length=12, description="村、乡镇或县的12位代码")
    month: PlainText = Field(max_length=10, description="YYYY-MM")


class DayReceiptOut(Schema):
    reference: str
    village_code: str
    village_name: str
    person_name: str
    payer: str
    amount: Decimal | None
    issued_at: datetime.datetime
    deposit_slip: str | None
    deposit_state: str
    money_checked: bool


# the bank a statement comes from, as the form field of the upload (BankStatementFile.bank)
BankName = Annotated[PlainText, StringConstraints(min_length=1, max_length=40)]


class GovernmentPaidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scheme: PlainText = Field(
        max_length=20,
        description="险种代码（pension 城乡居保、medical 居民医保）：每个险种的政府代缴资金分别确认",
    )
    year: int = Field(ge=2000, le=2100, description="缴费年度（居民医保为参保年度）")
    amount: Amount
    reference: PlainText = Field(max_length=60, description="拨款凭证号")


class GovernmentPaidOut(Schema):
    scheme: str
    year: int
    confirmed: int


class StatementOut(Schema):
    id: int
    region_code: str
    bank: str
    file_name: str
    sha256: str
    line_count: int
    amount_sum: Decimal
    imported_at: datetime.datetime


class StatementLineOut(Schema):
    line_number: int
    booked_on: datetime.date
    amount: Decimal
    reference: str
    counterparty: str
    deposit_id: int | None


class StatementDetail(StatementOut):
    lines: list[StatementLineOut]


# --------------------------------------------------------------------------- bank withholding and tax files


class BatchOut(Schema):
    id: int
    key: str = Field(description="批次号：县代码-年度-银行-批次")
    region_code: str
    bank: str
    year: int
    round: int
    status: str
    line_count: int
    amount_sum: Decimal
    paid_count: int
    paid_sum: Decimal
    failed_count: int
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None


class BatchIn(Schema):
    bank: PlainText = Field(..., min_length=1, max_length=20)
    year: int = Field(..., ge=2000, le=2100)
    county: PlainText = Field("", max_length=12, description="县级代码；空 = 本人所在县")


class ResultFileOut(Schema):
    id: int
    batch_id: int
    file_name: str
    sha256: str
    line_count: int
    amount_sum: Decimal
    paid_count: int
    failed_count: int
    imported_at: datetime.datetime


class TaxFileOut(Schema):
    id: int
    region_code: str
    file_name: str
    sha256: str
    line_count: int
    amount_sum: Decimal
    matched_count: int
    imported_at: datetime.datetime
    confirmed_at: datetime.datetime | None


class TaxLineOut(Schema):
    line_number: int
    voucher_number: str
    id_number: str
    name: str
    year: int
    amount: Decimal
    paid_on: datetime.date
    due_id: int | None


class TaxFileDetail(TaxFileOut):
    lines: list[TaxLineOut]

"""Schemas of the pension API: dues (应缴) and posting runs (记账)."""

import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from jumin.core.schemas import Paging


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

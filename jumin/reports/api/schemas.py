"""Schemas of the reports API."""

from decimal import Decimal

from ninja import Field, Schema


class ProgressRowOut(Schema):
    code: str
    name: str
    target_count: int | None
    target_amount: Decimal | None
    enrolled: int
    receiving: int
    paying_age: int
    paying: int
    payment_rate: Decimal | None
    completion: Decimal | None
    amount: Decimal
    amount_completion: Decimal | None
    lowest_grade_share: Decimal | None
    government_paid: int
    pending: int


class ProgressOut(Schema):
    year: int
    region_code: str
    region_name: str
    row_level: str
    rows: list[ProgressRowOut]
    total: ProgressRowOut


class ProgressQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    region: str | None = Field(None, max_length=12)

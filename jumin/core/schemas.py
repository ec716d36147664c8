"""Field types every API schema shares: text, ids, dates, amounts and paging.

Each type carries the same rule as the pages (``jumin.core.forms``) and the files: text
without control characters (``core.text``), dates 1900-01-01 … 2199-12-31
(``core.parsing``), amounts through ``core.money.parse`` (two decimals, within the column),
ids and offsets within the database's 64-bit integers. A wrong value answers 422 with the
field named, never 500; ``jumin.core.api`` turns each error type below into a Chinese
message. Years stay ``Field(ge=..., le=...)`` of the scheme's own range. List endpoints page with
``Paging`` and ``paginate``.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from jumin.core import money, parsing
from jumin.core.text import TextError, check_text

MAX_ID = parsing.MAX_ID
MAX_OFFSET = parsing.MAX_OFFSET


def _text_rule(*, multiline: bool):
    def validate(value: str) -> str:
        try:
            return check_text(value, multiline=multiline)
        except TextError as error:
            raise PydanticCustomError(
                "control_characters", "{detail}", {"detail": error.message}
            ) from None

    return validate


# A one-line text field: refuses NUL and every other control character (422), as forms do.
PlainText = Annotated[str, AfterValidator(_text_rule(multiline=False))]


def _check_date(value: datetime.date) -> datetime.date:
    try:
        return parsing.check_date(value)
    except parsing.InputError as error:
        raise PydanticCustomError("date_range", "{detail}", {"detail": error.message}) from None


# A date within 1900-01-01 … 2199-12-31: adding a day or a month to it never overflows.
Date = Annotated[datetime.date, AfterValidator(_check_date)]


def _amount(value):
    if isinstance(value, Decimal | int | float | str) and not isinstance(value, bool):
        try:
            return money.parse(value)
        except money.MoneyError as error:
            raise PydanticCustomError("money", "{detail}", {"detail": error.message}) from None
    raise PydanticCustomError("money", "{detail}", {"detail": "金额应为数字，如 100.00"})


# An amount in yuan: at most two decimals, at most 999 999 999 999.99, not negative.
# Sent as a JSON number or a string ("100.00"); answered as a string with two decimals.
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(money.MAXIMUM)},
                {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$"},
            ],
            "description": "金额（元），最多两位小数",
        }
    ),
]

# A database id sent in a body or a query string.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Paging(Schema):
    """``?offset=&limit=`` of a list endpoint; a router may narrow ``limit`` in a subclass.

    Every paged endpoint derives its filters from this and answers ``paginate(rows, filters)``.
    """

    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过前多少条")
    limit: int = Field(200, ge=1, le=1000, description="最多返回多少条")


@dataclass(frozen=True)
class Page:
    """One page of a list: ``items`` (at most ``limit``) and ``count``, the whole match."""

    items: list
    count: int
    offset: int
    limit: int


def paginate(rows, paging: Paging) -> Page:
    """The page ``paging`` asks for of ``rows`` (a queryset or a list), with the total: two
    queries for a queryset (the slice and the count), however long the list is."""
    items = list(rows[paging.offset : paging.offset + paging.limit])
    if paging.offset == 0 and len(items) < paging.limit:
        count = len(items)  # the whole match fits on the first page: no count query
    else:
        count = len(rows) if isinstance(rows, list | tuple) else rows.count()
    return Page(items=items, count=count, offset=paging.offset, limit=paging.limit)

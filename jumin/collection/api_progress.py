"""``/api/progress``: collection progress per township or village (the page's rows).

Thin: one call of ``jumin.collection.progress.progress_report``; a region outside the
caller's scope answers 404.
"""

from decimal import Decimal

from ninja import Field, Query, Router, Schema

from jumin.collection import progress
from jumin.core.api import error_responses

router = Router(tags=["collection"])


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


def row_out(row: progress.ProgressRow) -> dict:
    return {"code": row.code, **row.as_dict(), "paying_age": row.paying_age}


@router.get(
    "",
    response={200: ProgressOut, **error_responses(401, 403, 404, 422)},
    summary="征缴进度（按乡镇或按村）",
    description=(
        "year 缺省为今年；region 为县或乡镇的12位区划代码，缺省为本人所在县（村协理员为所在乡镇）。"
        "比率为百分数（一位小数），没有分母时为 null。"
    ),
)
def progress_endpoint(request, query: Query[ProgressQuery]):
    year = progress.parse_year(query.year)
    report = progress.progress_report(request.user, year=year, region_code=query.region)
    return {
        "year": report.year,
        "region_code": report.region.code,
        "region_name": report.region.name,
        "row_level": report.row_level,
        "rows": [row_out(row) for row in report.rows],
        "total": row_out(report.total),
    }

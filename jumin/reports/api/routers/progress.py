"""``/api/progress``: collection progress per township or village (the page's rows).

Thin: one call of ``jumin.reports.queries.progress.progress_report``; a region outside the
caller's scope answers 404.
"""

from ninja import Query, Router

from jumin.core.api import error_responses
from jumin.reports.api.schemas import ProgressOut, ProgressQuery
from jumin.reports.queries import progress

router = Router(tags=["collection"])


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

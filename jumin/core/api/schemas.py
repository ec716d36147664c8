"""The shapes of core's API answers and filters: regions and jobs."""

import datetime
import uuid

from ninja import Field, Schema

REGION_CODE = r"^\d{12}$"


class RegionOut(Schema):
    code: str = Field(description="12位统计用区划代码")
    name: str
    level: str = Field(description="province, city, county, township or village")
    level_label: str
    parent_code: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    has_children: bool


class RegionFilter(Schema):
    parent: str | None = Field(
        None,
        pattern=REGION_CODE,
        description="上级区划代码；不填则返回您管辖的区域本身",
    )


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    region_code: str
    status: str = Field(
        description="queued, running, done, failed or interrupted (its process stopped; "
        "starting the same work again resumes it)"
    )
    status_label: str
    done: int
    total: int
    percent: int
    stage: str
    message: str
    result: dict
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
